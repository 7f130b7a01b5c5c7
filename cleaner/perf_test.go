package cleaner

import (
	"math/rand"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
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
