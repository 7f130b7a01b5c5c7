package dedup

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalized is a body reduced to what dedup compares: the hashes of its
// lower-cased words, grouped in paragraphs, with datelines, bylines, editor's
// notes and wire credits left out.
type normalized struct {
	tokens []uint64 // hash of each lower-cased word (tokenHash)
	paras  []int32  // start index in tokens of each paragraph
	quoted []int32  // token ranges inside quotation marks: start, end pairs (see quotes.go)
}

// agencyLines are paragraphs that only credit a wire service or a desk.
var agencyLines = map[string]bool{
	"ap": true, "the associated press": true, "associated press": true, "reuters": true,
	"afp": true, "agence france-presse": true, "agence france presse": true, "pa": true,
	"pa media": true, "press association": true, "the canadian press": true, "canadian press": true,
	"dpa": true, "upi": true, "bloomberg": true, "staff reports": true, "staff report": true,
	"staff": true, "wire reports": true, "from wire reports": true, "wire services": true,
	"cnn": true, "bloomberg news": true, "news services": true,
}

// notePrefixes start paragraphs that are notes about the article, not the
// article: editor's notes, update notices, syndication credits.
var notePrefixes = []string{
	"editor's note", "editors' note", "editors note", "editor note", "ed. note", "ed note",
	"note to readers", "note to our readers", "publisher's note",
	"this story has been updated", "this article has been updated", "this story was updated",
	"this article was updated", "this story was originally published", "this article was originally published",
	"this story originally appeared", "this article originally appeared", "this story first appeared",
	"this article first appeared", "this story was first published", "this article was first published",
	"an earlier version of this", "this is a developing story", "this is a breaking news",
	"copyright ", "© ", "(c) ", "all rights reserved",
}

// normalize splits text into paragraphs, drops the ones that are not body
// text (bylines, editor's notes, wire credits, reference lines), strips a leading dateline and
// hashes the lower-cased words.
func normalize(text string, buf []byte) (normalized, []byte) {
	return normalizeInto(text, buf, make([]uint64, 0, len(text)/5+1))
}

// normalizeInto is normalize appending the word hashes to tokens[:0].
func normalizeInto(text string, buf []byte, tokens []uint64) (normalized, []byte) {
	n := normalized{tokens: tokens[:0]}
	paras := splitParagraphs(text)
	prose := hasProse(paras)
	first := true
	for i, p := range paras {
		if skipParagraph(p, i, len(paras)) || prose && !first && isRefLine(p) {
			continue
		}
		if first {
			p = stripDateline(p)
		}
		start := len(n.tokens)
		n.tokens, buf, n.quoted = appendTokensQuoted(n.tokens, p, buf, n.quoted)
		if len(n.tokens) > start {
			n.paras = append(n.paras, int32(start))
			first = false
		}
	}
	return n, buf
}

// splitParagraphs splits on line breaks, trimming space and dropping empty lines.
func splitParagraphs(text string) []string {
	var out []string
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSpace(line)
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// skipParagraph reports paragraphs that are not part of the story's body.
// It looks only at short paragraphs and at their first bytes, so that it costs
// little on long bodies.
func skipParagraph(p string, i, n int) bool {
	if len(p) > 300 {
		return false
	}
	head := p
	if len(head) > 64 {
		head = head[:64]
	}
	if len(p) > 40 && !mayBeNote(head) && !strings.Contains(p, "contributed") {
		return false
	}
	low := foldPunct(strings.ToLower(head))
	if len(p) <= 40 {
		t := strings.TrimSpace(strings.Trim(low, " .:-—–*_()[]"))
		if t == "" || agencyLines[t] {
			return true
		}
		// A short all-capitals first line is a dateline or kicker ("BAAR, SWITZERLAND").
		if i == 0 && n > 1 && p == strings.ToUpper(p) && low != p && strings.Count(p, " ") < 4 {
			return true
		}
	}
	low = strings.TrimLeft(low, " *_([")
	for _, pre := range notePrefixes {
		if strings.HasPrefix(low, pre) {
			return true
		}
	}
	if len(p) <= 250 && (strings.Contains(p, "contributed to this report") || strings.Contains(p, "contributed reporting")) {
		return true
	}
	// Bylines: "By Jane Doe", "By Jane Doe, Associated Press", "By X with AP".
	if len(p) <= 120 && strings.HasPrefix(low, "by ") {
		rest := strings.TrimLeft(p[3:], " ")
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) && strings.Count(p, " ") < 14 {
			return true
		}
	}
	return false
}

// mayBeNote is a cheap filter: only paragraphs starting like a note, a
// byline or a credit get the full checks.
func mayBeNote(head string) bool {
	head = strings.TrimLeft(head, " *_([")
	if len(head) < 4 {
		return true
	}
	if head[0] >= 0x80 { // "©" and other symbols
		return true
	}
	var w [4]byte
	for i := range w {
		w[i] = head[i] | 0x20
	}
	switch string(w[:]) {
	case "edit", "ed. ", "ed n", "note", "this", "an e", "copy", "all ", "publ", "(c) ", "c) 2":
		return true
	}
	return w[0] == 'b' && w[1] == 'y' && w[2] == ' '
}

var punctFolder = strings.NewReplacer("’", "'", "‘", "'", "`", "'")

// foldPunct maps typographic apostrophes to ASCII.
func foldPunct(s string) string {
	if !strings.Contains(s, "’") && !strings.Contains(s, "‘") && strings.IndexByte(s, '`') < 0 {
		return s
	}
	return punctFolder.Replace(s)
}

// dateline separators, longest first.
var datelineSeps = []string{" — ", " – ", " -- ", " - ", "— ", "– ", "—", "–"}

// stripDateline removes a leading dateline: "WASHINGTON (AP) — ",
// "HANOI, Vietnam (AP) — ", "Dekalb, Ill. — ", "Hong Kong (CNN Business) ".
func stripDateline(p string) string {
	head := p
	if len(head) > 90 {
		head = head[:90]
	}
	cut, rest := -1, 0
	for _, sep := range datelineSeps {
		if i := strings.Index(head, sep); i > 0 && (cut < 0 || i < cut) {
			cut, rest = i, i+len(sep)
		}
	}
	if cut > 0 && datelineLike(head[:cut]) {
		return strings.TrimSpace(p[rest:])
	}
	// "Place (Agency) Text..." with no dash.
	if o := strings.IndexByte(head, '('); o > 0 {
		if c := strings.IndexByte(head[o:], ')'); c > 0 && c < 30 && datelineLike(head[:o+c+1]) {
			return strings.TrimSpace(p[o+c+1:])
		}
	}
	return p
}

// datelineLike reports a short run of capitalised place words, optionally
// followed by a parenthesised agency: "WASHINGTON (AP)", "CLEVELAND, Ohio".
func datelineLike(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 8 {
		return false
	}
	inParen := false
	for _, w := range words {
		if strings.HasPrefix(w, "(") {
			inParen = true
		}
		if !inParen {
			r, _ := utf8.DecodeRuneInString(w)
			if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
				return false
			}
		}
		if strings.HasSuffix(w, ")") {
			inParen = false
		}
	}
	return true
}

// isCJK reports scripts written without spaces, tokenised per character.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai)
}

// byte classes for the tokenizer's ASCII fast path.
const (
	cSep   = iota // separator
	cLower        // a-z, 0-9: part of a word as is
	cUpper        // A-Z: part of a word, lower-cased
	cApos         // ' inside a word: dropped
	cHigh         // first byte of a multi-byte rune
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80:
			t[c] = cHigh
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			t[c] = cLower
		case 'A' <= c && c <= 'Z':
			t[c] = cUpper
		case c == '\'':
			t[c] = cApos
		}
	}
	return t
}()

// SWAR constants: the same byte in every lane.
const (
	lanes80 = 0x8080808080808080
	lanes7f = 0x7f7f7f7f7f7f7f7f
)

// Word hashing. A word's hash is a function of its lower-cased UTF-8 bytes
// alone, with fixed constants and no seed, so it is the same in every process,
// run and machine (stored keys depend on it): the bytes are read as
// little-endian 64-bit chunks, the last one zero-padded, each chunk c folds
// into the state as h = rotl(h^c, 29) * tokP1 starting from h = 0, and the
// word's hash is mix64(h + len*tokP2). Words never contain zero bytes, so the
// padding is unambiguous. tokenHash is the reference; appendTokens computes
// the same value while it scans and lower-cases the bytes, eight at a time.
const (
	tokP1 = 0x9e3779b97f4a7c15
	tokP2 = 0xc2b2ae3d27d4eb4f
)

// tokFold folds one 8-byte chunk of a word into the hash state.
func tokFold(h, c uint64) uint64 { return bits.RotateLeft64(h^c, 29) * tokP1 }

// tokFinish is a word's hash from the state after its last chunk and its length.
func tokFinish(h uint64, n int) uint64 { return mix64(h + uint64(n)*tokP2) }

// tokenHash is the hash of a lower-cased word (see tokFold).
func tokenHash[S string | []byte](b S) uint64 {
	var h uint64
	n := len(b)
	for len(b) >= 8 {
		h = tokFold(h, le64(b))
		b = b[8:]
	}
	if len(b) > 0 {
		var c uint64
		for j := 0; j < len(b); j++ {
			c |= uint64(b[j]) << (8 * j)
		}
		h = tokFold(h, c)
	}
	return tokFinish(h, n)
}

// le64 reads 8 bytes little-endian.
func le64[S string | []byte](b S) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// wordChunk classifies 8 bytes at once: k is how many leading bytes are
// ASCII letters or digits (8 if all are), lc the bytes with A-Z lower-cased
// (only its first k bytes are meaningful).
func wordChunk(x uint64) (lc uint64, k int) {
	y := x & lanes7f                                              // no lane carries into the next below
	lower := (y + 0x1f1f1f1f1f1f1f1f) &^ (y + 0x0505050505050505) // 0x61..0x7a
	upper := (y + 0x3f3f3f3f3f3f3f3f) &^ (y + 0x2525252525252525) // 0x41..0x5a
	digit := (y + 0x5050505050505050) &^ (y + 0x4646464646464646) // 0x30..0x39
	good := (lower | upper | digit) &^ x & lanes80                // ASCII only
	upper &^= x
	lc = x | (upper&lanes80)>>2
	return lc, bits.TrailingZeros64(^good&lanes80) >> 3
}

// appendTokens appends the hash of each lower-cased word of p. Words are runs
// of letters and digits; apostrophes inside words are dropped ("don't" ->
// "dont"); CJK characters are words of their own. An ASCII word is lower-cased
// and hashed as it is scanned, eight bytes at a time; others are rebuilt in
// buf and hashed there.
func appendTokens(dst []uint64, p string, buf []byte) ([]uint64, []byte) {
	i := 0
	for i < len(p) {
		// Skip separators.
		c := p[i]
		cl := byteClass[c]
		if cl == cSep || cl == cApos {
			i++
			continue
		}
		if cl == cHigh {
			r, size := utf8.DecodeRuneInString(p[i:])
			if isCJK(r) {
				dst = append(dst, tokenHash(p[i:i+size]))
				i += size
				continue
			}
			if !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
				i += size
				continue
			}
		}
		// A word starts at i. Fast path: ASCII letters and digits, hashed
		// while scanned.
		start := i
		var h uint64
		for {
			if i+8 > len(p) {
				var c uint64
				k := 0
			tail:
				for i < len(p) {
					b := p[i]
					switch byteClass[b] {
					case cLower:
					case cUpper:
						b += 'a' - 'A'
					default:
						break tail
					}
					c |= uint64(b) << (8 * k)
					k++
					i++
				}
				if k > 0 {
					h = tokFold(h, c)
				}
				break
			}
			lc, k := wordChunk(le64(p[i:]))
			if k == 8 {
				h = tokFold(h, lc)
				i += 8
				continue
			}
			if k > 0 {
				h = tokFold(h, lc&(1<<(8*k)-1))
				i += k
			}
			break
		}
		if i == len(p) || byteClass[p[i]] == cSep {
			dst = append(dst, tokFinish(h, i-start))
			continue
		}
		// Slow path: apostrophes or non-ASCII letters; rebuild the word in buf.
		i = start
		buf = buf[:0]
		for i < len(p) {
			c := p[i]
			switch byteClass[c] {
			case cLower:
				buf = append(buf, c)
				i++
				continue
			case cUpper:
				buf = append(buf, c+'a'-'A')
				i++
				continue
			case cApos:
				i++
				continue
			case cHigh:
				r, size := utf8.DecodeRuneInString(p[i:])
				if r == '’' || r == 'ʼ' {
					i += size
					continue
				}
				if !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) {
					buf = utf8.AppendRune(buf, unicode.ToLower(r))
					i += size
					continue
				}
			}
			break
		}
		if len(buf) > 0 {
			dst = append(dst, tokenHash(buf))
		}
	}
	return dst, buf
}
