package cleaner

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// The fast paths of normText and garbledRunes must give what the plain
// code they replaced gave.

func normTextPlain(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

func garbledRunesPlain(b []byte) (bad, n int) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r < 0x20 && r != '\t' && r != '\n' && r != '\f' && r != '\r' || r == 0x7f ||
			r == utf8.RuneError || r >= 0x80 && r <= 0x9f {
			bad++
		}
		n++
		i += size
	}
	return bad, n
}

func TestNormTextFastPath(t *testing.T) {
	texts := []string{"", " ", "--", "Hello, World!", "  a  b  ", "ÀB\xffc", "a\xff\xfeb", "ſ K İstanbul Ⱥ",
		"x\u0130y", "\u2160 12", "Ǆ ǅ ǆ", "Straße 3½ ١٢٣", "日本語のテキスト、句読点。", "\uFFFD a"}
	rng := rand.New(rand.NewSource(1))
	alphabet := []rune("aZ09 ,.-\tÀßſKİⱥ\u0130\u2160日\uFFFD\u0301")
	for range 5000 {
		var b strings.Builder
		for range rng.Intn(20) {
			if rng.Intn(10) == 0 {
				b.WriteByte(byte(0x80 + rng.Intn(0x80))) // invalid UTF-8
				continue
			}
			b.WriteRune(alphabet[rng.Intn(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, p := range loadDevCorpus(t)[:50] {
		texts = append(texts, string(p.HTML))
	}
	for _, s := range texts {
		if got, want := normText(s), normTextPlain(s); got != want {
			t.Fatalf("normText(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestGarbledRunesFastPath(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	inputs := [][]byte{nil, []byte("short"), []byte("exactly8"), all}
	rng := rand.New(rand.NewSource(2))
	for range 5000 {
		b := make([]byte, rng.Intn(40))
		for i := range b {
			switch rng.Intn(4) {
			case 0:
				b[i] = byte(rng.Intn(256))
			case 1:
				b[i] = []byte{0x1f, 0x20, 0x7e, 0x7f, 0x80, '\t', '\n', 0}[rng.Intn(8)]
			default:
				b[i] = byte(0x20 + rng.Intn(0x5f))
			}
		}
		inputs = append(inputs, b)
	}
	for _, p := range loadDevCorpus(t)[:50] {
		inputs = append(inputs, p.HTML)
	}
	for _, b := range inputs {
		bad, n := garbledRunes(b)
		wantBad, wantN := garbledRunesPlain(b)
		if bad != wantBad || n != wantN {
			t.Fatalf("garbledRunes(%q) = %d, %d, want %d, %d", b, bad, n, wantBad, wantN)
		}
	}
}

func TestCollapseAndCleanFastPaths(t *testing.T) {
	texts := []string{"", " ", "a", " a", "a ", "a  b", "a b", "a\tb", "a\u00a0b", "a\x85b", "a\xffb", "x\x00y", "e\u0301", "a\x7fb"}
	rng := rand.New(rand.NewSource(3))
	alphabet := []rune("ab \t\n\r\v\f\x00\x7f\u00a0\u0085\u2003e\u0301é")
	for range 5000 {
		var b strings.Builder
		for range rng.Intn(12) {
			if rng.Intn(12) == 0 {
				b.WriteByte(0xff)
				continue
			}
			b.WriteRune(alphabet[rng.Intn(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		if got, want := collapse(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("collapse(%q) = %q, want %q", s, got, want)
		}
		want := strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
				return -1
			}
			return r
		}, strings.ToValidUTF8(s, "\uFFFD"))
		if got := clean(s); got != norm.NFC.String(want) {
			t.Fatalf("clean(%q) = %q, want %q", s, got, norm.NFC.String(want))
		}
	}
}

// TestSignatureEndGate: rxCommentSignature matches no text that
// signatureEnd turns away, on every element text of the dev corpus.
func TestSignatureEndGate(t *testing.T) {
	texts := []string{"Posted by: Jane at 5pm", "Jane Says:", "Bob said...", "Ann wrote…"}
	for _, s := range texts {
		if !signatureEnd(s) || !rxCommentSignature.MatchString(s) {
			t.Errorf("example %q: gate %v, regexp %v", s, signatureEnd(s), rxCommentSignature.MatchString(s))
		}
	}
	n := 0
	for _, p := range loadDevCorpus(t) {
		for _, s := range elementTexts(t, p.HTML) {
			if rxCommentSignature.MatchString(s) {
				n++
				if !signatureEnd(s) {
					t.Errorf("gate turns away %q", s)
				}
			}
		}
	}
	t.Logf("%d signatures in the dev corpus", n)
}

// elementTexts is the text of every element of page, trimmed.
func elementTexts(t *testing.T, page []byte) []string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	var walk func(n *html.Node) string
	walk = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(walk(c))
		}
		if s := strings.TrimSpace(b.String()); s != "" {
			texts = append(texts, s)
		}
		return b.String()
	}
	walk(doc)
	return texts
}

func TestLetterShareFastPath(t *testing.T) {
	plain := func(s string) (letters, n int) {
		for _, r := range s {
			if unicode.IsSpace(r) {
				continue
			}
			n++
			if unicode.IsLetter(r) {
				letters++
			}
		}
		return letters, n
	}
	var all strings.Builder
	for c := range 0x100 {
		all.WriteRune(rune(c))
	}
	texts := []string{"", "Hello, World! 42", "a\tb\nc\vd\fe\rf g", "\x85\xa0é\xff", all.String(), string([]byte{0x40, 0x5b, 0x60, 0x7b})}
	for _, p := range loadDevCorpus(t)[:50] {
		texts = append(texts, string(p.HTML))
	}
	for _, s := range texts {
		l, n := letterShare(s)
		wl, wn := plain(s)
		if l != wl || n != wn {
			t.Fatalf("letterShare(%q) = %d, %d, want %d, %d", s, l, n, wl, wn)
		}
	}
}

// TestGateIndexFindsEveryWord: the one-pass word search behind the gates
// finds the same parts as looking for each word in turn.
func TestGateIndexFindsEveryWord(t *testing.T) {
	texts := []string{"", "a", "©", "[", "photo by x", "credit:", "min read 5", "xx©yy[zz"}
	for _, p := range loadDevCorpus(t)[:40] {
		texts = append(texts, elementTexts(t, p.HTML)...)
	}
	found := 0
	for _, g := range []gatedRegexp{rxCaption, rxPromo, rxShortcode, rxCommentCount} {
		for _, s := range texts {
			lower := gateLower(s)
			var want uint64
			for i, p := range g.parts {
				for _, w := range p.words {
					if strings.Contains(lower, w) {
						want |= 1 << i
					}
				}
			}
			if got := g.idx.hits(lower); got != want {
				t.Fatalf("hits(%q) = %b, want %b", lower, got, want)
			}
			if want != 0 {
				found++
			}
		}
	}
	t.Logf("%d texts hold a gate word", found)
}

func TestSpaceAt(t *testing.T) {
	s := "a \t\n\v\f\r\x00\x85\u0085\u00a0\u2003\xffé"
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		space, n := spaceAt(s, i)
		if want := unicode.IsSpace(r) || r == 0; space != want || n != size {
			t.Errorf("spaceAt(%q, %d) = %v, %d, want %v, %d", s, i, space, n, want, size)
		}
		i += size
	}
}
