package dedup

import (
	"strings"
	"unicode/utf8"
)

// Quotations. A follow-up quotes what was said in the story it follows,
// and a story on the same topic quotes the same people: words in quotation
// marks are shared by different stories far more than the reporting around
// them. So verification also measures containment without them (Match.
// Unquoted): a copy agrees with its source outside its quotations as much
// as inside, a follow-up that repeats two quotes and a paragraph does not.
//
// Only double quotation marks count ("straight", “curly”, „low“, «angled»):
// a single curly mark is also an apostrophe.

// quoteMarks are the runes that open or close a quotation.
const quoteMarks = "\"“”„«»"

// quoteCloser closes the quotation each opening mark opens.
var quoteCloser = map[rune]rune{'“': '”', '„': '“', '«': '»'}

// appendTokensQuoted is appendTokens that also appends to quoted the token
// ranges (start, end pairs) of p inside quotation marks. A quotation left
// open runs to the end of the paragraph, as a quotation continued in the
// next paragraph does in news style. Quote marks are word separators, so
// the tokens are the same as appendTokens gives.
func appendTokensQuoted(dst []uint64, p string, buf []byte, quoted []int32) ([]uint64, []byte, []int32) {
	if !strings.ContainsAny(p, quoteMarks) {
		dst, buf = appendTokens(dst, p, buf)
		return dst, buf, quoted
	}
	in, closer := false, rune(0)
	for len(p) > 0 {
		i := strings.IndexAny(p, quoteMarks)
		seg := p
		if i >= 0 {
			seg = p[:i]
		}
		start := len(dst)
		dst, buf = appendTokens(dst, seg, buf)
		if in && len(dst) > start {
			quoted = append(quoted, int32(start), int32(len(dst)))
		}
		if i < 0 {
			break
		}
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case in && r == closer, r == '”', r == '»':
			in = false
		case r == '"':
			in, closer = !in, '"'
		default: // “ opens and closes with ”, „ with “, « with »
			in, closer = true, quoteCloser[r]
		}
		p = p[i+size:]
	}
	return dst, buf, quoted
}

// quotedShingles returns the shingles of sh (k words each, shingle i
// starting at token i) that touch a quoted token range, in new memory.
func quotedShingles(sh []uint64, k int, quoted []int32) []uint64 {
	var out []uint64
	next := 0 // shingles before next are taken already
	for j := 0; j+1 < len(quoted); j += 2 {
		from := max(int(quoted[j])-k+1, next, 0)
		to := min(int(quoted[j+1]), len(sh)) // shingles starting before the range ends
		for i := from; i < to; i++ {
			out = append(out, sh[i])
		}
		next = max(next, to)
	}
	return out
}

// unquotedContainment is the containment of a and b without the shingles
// either one has inside quotations (see quotedShingles), and false when
// neither has any or one has nothing else.
func unquotedContainment(a, b *fingerprint) (float64, bool) {
	if len(a.q32) == 0 && len(b.q32) == 0 {
		return 0, false
	}
	la, lb := len(a.sh32)-len(a.q32), len(b.sh32)-len(b.q32)
	if la <= 0 || lb <= 0 {
		return 0, false
	}
	return float64(intersectExcept(a.sh32, b.sh32, a.q32, b.q32)) / float64(min(la, lb)), true
}

// intersectExcept counts the values two sorted unique slices share that
// are in neither of the sorted unique slices qa, qb.
func intersectExcept(a, b, qa, qb []uint32) int {
	n, i, j, x, y := 0, 0, 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			v := a[i]
			for x < len(qa) && qa[x] < v {
				x++
			}
			for y < len(qb) && qb[y] < v {
				y++
			}
			if (x == len(qa) || qa[x] != v) && (y == len(qb) || qb[y] != v) {
				n++
			}
			i++
			j++
		}
	}
	return n
}
