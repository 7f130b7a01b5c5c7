package testweb

import (
	"math/rand/v2"
	"strings"
)

// Reference lines: many outlets put pointers to their other articles inside
// the article body, where a cleaner cannot tell them from the text: a
// "Read more: <headline>" line between paragraphs, or a list of related
// headlines under a short heading. They are hard negatives for dedup: two
// different stories of one outlet, published hours apart, carry the same
// list, and a follow-up points at the story it follows.

// Reference styles of an outlet.
const (
	refNone    = iota
	refInline        // one "Read more: <headline>" line
	refList          // a heading and two or three headlines
	refBoth          // both
	refStyles        // number of styles
	refMaxScan = 400 // older pages of an outlet searched for the followed story
)

var (
	refLabels    = []string{"Read more:", "READ MORE:", "Also read:", "See also:", "Related:", "More:", "Don't miss:"}
	refHeadings  = []string{"Related coverage", "More on this story", "Related stories", "In other news", "Latest headlines", "Recommended"}
	refHeadColon = []bool{false, true}
)

// refStyle is outlet oi's reference style: wires carry none; about half of
// the other outlets carry one.
func (w *Web) refStyle(oi int) int {
	if w.outlets[oi].wire {
		return refNone
	}
	h := hashParts(w.opts.Seed, saltLayout, uint64(oi), 0x7265)
	if h%2 == 0 {
		return refNone
	}
	return 1 + int(h>>8)%(refStyles-1)
}

// references returns the reference paragraphs page pi carries and where
// they go: inline before paragraph at (0: none), list before paragraph
// listAt (len(paras): at the end; 0: none). Only older pages of the same
// outlet are named, so that a page does not change when the clock moves.
func (w *Web) references(pi int32, nparas int) (inline string, at int, list []string, listAt int) {
	p := &w.pages[pi]
	style := w.refStyle(int(p.outlet))
	if style == refNone || w.recent == nil || nparas < 2 {
		return "", 0, nil, 0
	}
	oi := int(p.outlet)
	older := w.recent[oi][p.pos+1:]
	if len(older) == 0 {
		return "", 0, nil, 0
	}
	r := rngFor(w.opts.Seed, saltLayout, uint64(pi), 0x7266)
	h := hashParts(w.opts.Seed, saltLayout, uint64(oi), 0x7267)
	// a follow-up points at the story it follows when the outlet has it
	followed := int32(-1)
	if st := &w.stories[p.story]; st.kind == sFollow {
		for _, q := range older[:min(len(older), refMaxScan)] {
			if int(w.pages[q].story) == st.related && !w.pages[q].disallowed {
				followed = q
				break
			}
		}
	}
	if style == refInline || style == refBoth {
		q := followed
		if q < 0 || r.IntN(3) == 0 {
			q = older[r.IntN(min(len(older), 60))]
		}
		inline = refLabels[h%uint64(len(refLabels))] + " " + w.pages[q].title
		at = 1 + r.IntN(min(3, nparas-1))
	}
	if style == refList || style == refBoth {
		// the outlet's latest headlines before this page: pages published
		// hours apart carry the same list
		heading := refHeadings[(h>>16)%uint64(len(refHeadings))]
		if refHeadColon[(h>>24)%2] {
			heading += ":"
		}
		list = append(list, heading)
		if followed >= 0 {
			list = append(list, w.pages[followed].title)
		}
		for _, q := range older {
			if len(list) >= 4 {
				break
			}
			if !w.pages[q].disallowed && q != followed && !strings.HasPrefix(inline, refLabels[h%uint64(len(refLabels))]+" "+w.pages[q].title) {
				list = append(list, w.pages[q].title)
			}
		}
		listAt = nparas
		if (h>>32)%2 == 0 {
			listAt = nparas - 1 // before the last paragraph
		}
	}
	return inline, at, list, listAt
}

// withReferences inserts page pi's reference paragraphs into its body
// paragraphs.
func (w *Web) withReferences(pi int32, paras []string) []string {
	inline, at, list, listAt := w.references(pi, len(paras))
	if inline == "" && list == nil {
		return paras
	}
	out := make([]string, 0, len(paras)+len(list)+1)
	for i := 0; i <= len(paras); i++ {
		if inline != "" && i == at {
			out = append(out, inline)
		}
		if list != nil && i == listAt {
			out = append(out, list...)
		}
		if i < len(paras) {
			out = append(out, paras[i])
		}
	}
	return out
}

// pageReferences lists the reference paragraphs of page pi (see
// Page.References). What they say does not depend on nparas, as long as it
// is 2 or more, so the rendered body's length will do.
func (w *Web) pageReferences(pi int32, nparas int) []string {
	inline, _, list, _ := w.references(pi, nparas)
	var out []string
	if inline != "" {
		out = append(out, inline)
	}
	return append(out, list...)
}

// quoteFollowed adds to the sentences refs of follow-up st two sentences
// from the body of the story it follows (not its lead, not its
// background), quotations when it has them, as a follow-up quotes what
// was said; and it returns that story's background paragraph.
func (w *Web) quoteFollowed(r *rand.Rand, st *story, refs []sref) ([]sref, []sref) {
	rel := &w.stories[st.related]
	background := rel.paras[len(rel.paras)-1]
	var quoted, plain []sref
	for _, p := range rel.paras[1 : len(rel.paras)-1] {
		for _, s := range p {
			if strings.ContainsAny(w.bank.sents[s.id], "\"“”") {
				quoted = append(quoted, s)
			} else {
				plain = append(plain, s)
			}
		}
	}
	r.Shuffle(len(quoted), func(i, j int) { quoted[i], quoted[j] = quoted[j], quoted[i] })
	r.Shuffle(len(plain), func(i, j int) { plain[i], plain[j] = plain[j], plain[i] })
	pool := append(quoted, plain...)
	for q := 0; q < 2 && q < len(pool); q++ {
		pos := 1 + r.IntN(len(refs))
		refs = append(refs, sref{})
		copy(refs[pos+1:], refs[pos:])
		refs[pos] = pool[q]
	}
	return refs, background
}
