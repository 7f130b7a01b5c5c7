package serve

import (
	"regexp"
	"strings"
	"unicode"
)

// Change is what one copy did to one sentence of the canonical text.
type Change int

// The kinds of change, sentence by sentence.
const (
	// Same: the sentence is in both texts.
	Same Change = iota
	// Added: the copy has a sentence the canonical text does not.
	Added
	// Removed: the copy left out a canonical sentence.
	Removed
	// Edited: the copy has a sentence much like a canonical one, in its place.
	Edited
)

// String names the change as the UI's CSS classes do.
func (c Change) String() string {
	return [...]string{"same", "added", "removed", "edited"}[c]
}

// Span is a run of words of an edited sentence: kept, or only in one text.
type Span struct {
	// Text is the words, spaced as in the source.
	Text string
	// Change is Same, Added (only in the copy) or Removed (only in the canonical).
	Change Change
}

// SentenceDiff is one line of a copy's diff against the canonical text.
type SentenceDiff struct {
	Change Change
	// Text is the sentence (the copy's for Added and Edited, else the canonical's).
	Text string
	// Spans is the word-level diff of an Edited sentence.
	Spans []Span
}

// DiffSummary counts a diff's changed sentences.
type DiffSummary struct {
	Added, Removed, Edited, Same int
}

// Summary counts the changes of d.
func Summary(d []SentenceDiff) DiffSummary {
	var s DiffSummary
	for _, l := range d {
		switch l.Change {
		case Added:
			s.Added++
		case Removed:
			s.Removed++
		case Edited:
			s.Edited++
		default:
			s.Same++
		}
	}
	return s
}

// maxCells bounds the LCS table (entries of int32): beyond it, the middle
// of two texts that differ is reported as removed and added wholesale.
const maxCells = 1 << 22

// editedAt is the word overlap (Dice coefficient of word sets) from which a
// removed and an added sentence in the same place are one edited sentence.
const editedAt = 0.5

// DiffSentences compares a copy's text with the canonical text sentence by
// sentence: the longest common subsequence of identical sentences, then, in
// each gap between common sentences, removed and added sentences paired in
// order as edited when their words overlap enough (with a word-level diff).
func DiffSentences(canonical, copyText string) []SentenceDiff {
	a, b := Sentences(canonical), Sentences(copyText)
	var out []SentenceDiff
	var gapA, gapB []string
	flush := func() {
		out = append(out, pairGap(gapA, gapB)...)
		gapA, gapB = gapA[:0], gapB[:0]
	}
	for _, op := range lcs(a, b, normSentence) {
		switch op.change {
		case Same:
			flush()
			out = append(out, SentenceDiff{Change: Same, Text: b[op.j]})
		case Removed:
			gapA = append(gapA, a[op.i])
		case Added:
			gapB = append(gapB, b[op.j])
		}
	}
	flush()
	return out
}

// pairWindow is how many added sentences ahead pairGap looks for the
// edited form of a removed one; it bounds the work on long gaps.
const pairWindow = 8

// pairGap turns the removed sentences rem and added sentences add between
// two common sentences into diff lines: in order, each removed sentence is
// paired with the first of the next pairWindow added ones similar enough
// (edited); the rest stay removed or added, in text order.
func pairGap(rem, add []string) []SentenceDiff {
	var out []SentenceDiff
	addWords := make([]map[string]bool, len(add))
	for k := range add {
		addWords[k] = wordSet(add[k])
	}
	j := 0
	for _, r := range rem {
		match := -1
		rw := wordSet(r)
		for k := j; k < len(add) && k < j+pairWindow; k++ {
			if dice(rw, addWords[k]) >= editedAt {
				match = k
				break
			}
		}
		if match < 0 {
			out = append(out, SentenceDiff{Change: Removed, Text: r})
			continue
		}
		for ; j < match; j++ {
			out = append(out, SentenceDiff{Change: Added, Text: add[j]})
		}
		out = append(out, SentenceDiff{Change: Edited, Text: add[match], Spans: diffWords(r, add[match])})
		j = match + 1
	}
	for ; j < len(add); j++ {
		out = append(out, SentenceDiff{Change: Added, Text: add[j]})
	}
	return out
}

// wordToken is a word (letters, digits, inner apostrophes, hyphens, points
// and commas, as in 200,000) or
// one other non-space character, with the spaces before it.
var wordToken = regexp.MustCompile(`\s*(?:[\p{L}\p{N}]+(?:['’.,-][\p{L}\p{N}]+)*|\S)`)

// diffWords is the word-level diff of an edited sentence: words and
// punctuation compared apart, so "Voss." and "Voss told" share "Voss".
func diffWords(from, to string) []Span {
	a, b := wordToken.FindAllString(from, -1), wordToken.FindAllString(to, -1)
	var spans []Span
	for _, op := range lcs(a, b, strings.TrimSpace) {
		var w string
		if op.change == Removed {
			w = a[op.i]
		} else {
			w = b[op.j]
		}
		if n := len(spans); n > 0 && spans[n-1].Change == op.change {
			spans[n-1].Text += w
			continue
		}
		if len(spans) == 0 {
			w = strings.TrimLeft(w, " \t\n")
		}
		spans = append(spans, Span{Text: w, Change: op.change})
	}
	return spans
}

// dice is the Dice coefficient of two sets of words.
func dice(wx, wy map[string]bool) float64 {
	if len(wx)+len(wy) == 0 {
		return 1
	}
	common := 0
	for w := range wx {
		if wy[w] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(wx)+len(wy))
}

// wordSet is the set of a sentence's lower-cased words.
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		m[w] = true
	}
	return m
}

// normSentence is the form in which sentences compare: spaces collapsed.
func normSentence(s string) string { return strings.Join(strings.Fields(s), " ") }

// Sentences splits a clean text (paragraphs separated by blank lines) into
// sentences: a sentence ends at '.', '!', '?' or '…' (with any closing quotes
// or brackets) followed by a space, and at the end of a paragraph.
func Sentences(text string) []string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		rs := []rune(strings.TrimSpace(para))
		start := 0
		for i := 0; i < len(rs); i++ {
			if !strings.ContainsRune(".!?…", rs[i]) {
				continue
			}
			end := i + 1
			for end < len(rs) && strings.ContainsRune("\"'”’)]»", rs[end]) {
				end++
			}
			if end < len(rs) && !unicode.IsSpace(rs[end]) {
				continue
			}
			if end < len(rs) && rs[i] == '.' && initial(rs, i) {
				continue // U.S.A. wins, J. Smith
			}
			if s := strings.TrimSpace(string(rs[start:end])); s != "" {
				out = append(out, s)
			}
			start, i = end, end
		}
		if s := strings.TrimSpace(string(rs[start:])); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// initial says whether the '.' at rs[i] ends a single letter (an initial
// or an abbreviation such as U.S.A.), which does not end a sentence.
func initial(rs []rune, i int) bool {
	return i >= 1 && unicode.IsLetter(rs[i-1]) && (i == 1 || unicode.IsSpace(rs[i-2]) || rs[i-2] == '.')
}

// edit is one step of an LCS alignment: a[i] and b[j] the same, a[i]
// removed, or b[j] added.
type edit struct {
	change Change
	i, j   int
}

// lcs aligns a and b along a longest common subsequence of their elements
// compared by key. Common prefix and suffix are matched first; a middle
// whose table would exceed maxCells is removed and added wholesale.
func lcs(a, b []string, key func(string) string) []edit {
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for j := range b {
		kb[j] = key(b[j])
	}
	pre := 0
	for pre < len(ka) && pre < len(kb) && ka[pre] == kb[pre] {
		pre++
	}
	suf := 0
	for suf < len(ka)-pre && suf < len(kb)-pre && ka[len(ka)-1-suf] == kb[len(kb)-1-suf] {
		suf++
	}
	var out []edit
	for k := 0; k < pre; k++ {
		out = append(out, edit{Same, k, k})
	}
	out = append(out, lcsMiddle(ka[pre:len(ka)-suf], kb[pre:len(kb)-suf], pre)...)
	for k := suf; k > 0; k-- {
		out = append(out, edit{Same, len(ka) - k, len(kb) - k})
	}
	return out
}

// lcsMiddle aligns a and b (offset by off in the full sequences) with the
// classic dynamic programme.
func lcsMiddle(a, b []string, off int) []edit {
	n, m := len(a), len(b)
	var out []edit
	if n == 0 || m == 0 || (n+1)*(m+1) > maxCells {
		for i := range a {
			out = append(out, edit{Removed, off + i, 0})
		}
		for j := range b {
			out = append(out, edit{Added, 0, off + j})
		}
		return out
	}
	// t[i][j] is the LCS length of a[i:] and b[j:].
	w := m + 1
	t := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			case t[(i+1)*w+j] >= t[i*w+j+1]:
				t[i*w+j] = t[(i+1)*w+j]
			default:
				t[i*w+j] = t[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, edit{Same, off + i, off + j})
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			out = append(out, edit{Removed, off + i, 0})
			i++
		default:
			out = append(out, edit{Added, 0, off + j})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, edit{Removed, off + i, 0})
	}
	for ; j < m; j++ {
		out = append(out, edit{Added, 0, off + j})
	}
	return out
}
