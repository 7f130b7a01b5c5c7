package dedup

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
)

// normalized is a body reduced to what dedup compares: the hashes of its
// lower-cased words, grouped in paragraphs, with datelines, bylines, editor's
// notes and wire credits left out.
type normalized struct {
	tokens []uint64 // xxhash of each lower-cased word
	paras  []int32  // start index in tokens of each paragraph
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
// text (bylines, editor's notes, wire credits), strips a leading dateline and
// hashes the lower-cased words.
func normalize(text string, buf []byte) (normalized, []byte) {
	return normalizeInto(text, buf, make([]uint64, 0, len(text)/5+1))
}

// normalizeInto is normalize appending the word hashes to tokens[:0].
func normalizeInto(text string, buf []byte, tokens []uint64) (normalized, []byte) {
	n := normalized{tokens: tokens[:0]}
	paras := splitParagraphs(text)
	first := true
	for i, p := range paras {
		if skipParagraph(p, i, len(paras)) {
			continue
		}
		if first {
			p = stripDateline(p)
		}
		start := len(n.tokens)
		n.tokens, buf = appendTokens(n.tokens, p, buf)
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

// lowerRun returns the end of the run of a-z and 0-9 bytes starting at i,
// testing eight bytes at a time.
func lowerRun(p string, i int) int {
	for i+8 <= len(p) {
		x := uint64(p[i]) | uint64(p[i+1])<<8 | uint64(p[i+2])<<16 | uint64(p[i+3])<<24 |
			uint64(p[i+4])<<32 | uint64(p[i+5])<<40 | uint64(p[i+6])<<48 | uint64(p[i+7])<<56
		y := x & lanes7f                                               // no lane carries into the next below
		letter := (y + 0x1f1f1f1f1f1f1f1f) &^ (y + 0x0505050505050505) // 0x61..0x7a
		digit := (y + 0x5050505050505050) &^ (y + 0x4646464646464646)  // 0x30..0x39
		bad := ^(letter | digit) & lanes80
		bad |= x & lanes80 // non-ASCII
		if bad == 0 {
			i += 8
			continue
		}
		return i + bits.TrailingZeros64(bad)>>3
	}
	for i < len(p) && byteClass[p[i]] == cLower {
		i++
	}
	return i
}

// appendTokens appends the hash of each lower-cased word of p. Words are runs
// of letters and digits; apostrophes inside words are dropped ("don't" ->
// "dont"); CJK characters are words of their own. A word that is already
// lower-case ASCII is hashed in place; others are rebuilt in buf.
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
				dst = append(dst, xxhash.Sum64String(p[i:i+size]))
				i += size
				continue
			}
			if !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
				i += size
				continue
			}
		}
		// A word starts at i. Fast path: lower-case ASCII only.
		start := i
		i = lowerRun(p, i)
		if i == len(p) || byteClass[p[i]] == cSep {
			dst = append(dst, xxhash.Sum64String(p[start:i]))
			continue
		}
		// Slow path: rebuild the word in buf.
		buf = append(buf[:0], p[start:i]...)
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
			dst = append(dst, xxhash.Sum64(buf))
		}
	}
	return dst, buf
}
