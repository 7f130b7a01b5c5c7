package testweb

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// parts is a page's text before the dateline is joined to the first paragraph.
type parts struct {
	title, byline, dateline string
	paras                   []string
	edits                   uint16
}

func (w *Web) sentence(r sref) string {
	s := perturbNumbers(w.bank.sents[r.id], w.opts.Seed, uint64(uint32(r.key))<<32|uint64(uint32(r.id)))
	if w.bank.lang[r.id] == "en" {
		s = swapNames(s, w.opts.Seed, uint64(uint32(r.key)))
	}
	return s
}

func (w *Web) joinRefs(refs []sref) string {
	var b strings.Builder
	for i, r := range refs {
		if i > 0 && w.bank.lang[r.id] != "ja" {
			b.WriteByte(' ')
		}
		b.WriteString(w.sentence(r))
	}
	return b.String()
}

// render returns a page's title, byline, body paragraphs (the dateline joined
// to the first, the outlet's reference lines inserted: see references) and
// the edits actually applied.
func (w *Web) render(pi int32) (title, byline string, paras []string, edits uint16) {
	pt := w.renderParts(pi)
	paras = pt.paras
	if pt.dateline != "" && len(paras) > 0 {
		paras = append([]string{pt.dateline + paras[0]}, paras[1:]...)
	}
	return pt.title, pt.byline, w.withHouse(pi, w.withReferences(pi, paras)), pt.edits
}

func (w *Web) renderParts(pi int32) parts {
	if pt, ok := w.genCache[pi]; ok {
		return pt
	}
	p := &w.pages[pi]
	var pt parts
	switch p.kind {
	case kUpdate:
		pt = w.renderUpdate(pi)
	case kCopy:
		pt = w.renderCopy(pi)
	default:
		pt = w.renderStory(p.story)
	}
	o := w.outlets[p.outlet]
	if o.charset == "iso-8859-1" || o.charset == "windows-1252" {
		cm := charmap.ISO8859_1
		if o.charset == "windows-1252" {
			cm = charmap.Windows1252
		}
		changed := false
		f := func(s string) string {
			t := foldFor(cm, s)
			if t != s {
				changed = true
			}
			return t
		}
		pt.title, pt.byline, pt.dateline = f(pt.title), f(pt.byline), f(pt.dateline)
		paras := make([]string, len(pt.paras))
		for i, s := range pt.paras {
			paras[i] = f(s)
		}
		pt.paras = paras
		if changed {
			pt.edits |= eFold
		}
	}
	if w.genCache != nil && p.kind != kCopy {
		w.genCache[pi] = pt // a source of copies, rendered again for each
	}
	return pt
}

func (w *Web) renderStory(si int32) parts {
	st := &w.stories[si]
	var pt parts
	for i, refs := range st.paras {
		if st.earlierAt > 0 && i == st.earlierAt {
			pt.paras = append(pt.paras, "Earlier this week: "+w.storyHeadline(&w.stories[st.related]))
		}
		pt.paras = append(pt.paras, w.joinRefs(refs))
	}
	pt.title = w.storyHeadline(st)
	switch st.lang {
	case "de":
		pt.byline = "Von " + st.reporter
	case "id":
		pt.byline = "Oleh " + st.reporter
	default:
		pt.byline = "By " + st.reporter
	}
	if st.city != "" {
		o := w.outlets[st.outlet]
		if o.wire {
			pt.dateline = st.city + " (" + o.abbrev + ") — "
		} else {
			pt.dateline = st.city + " — "
		}
	}
	return pt
}

// storyHeadline is the headline a story is first published under.
func (w *Web) storyHeadline(st *story) string { return headline(w.sentence(st.paras[0][0])) }

// renderUpdate: the original with one or two new paragraphs after the lead
// and a new headline taken from them.
func (w *Web) renderUpdate(pi int32) parts {
	p := &w.pages[pi]
	pt := w.renderParts(p.of)
	pt.edits = 0
	st := &w.stories[p.story]
	r := rngFor(w.opts.Seed, saltPage, 1<<40|uint64(pi))
	n := 1 + r.IntN(2)
	var added []string
	key := int32(len(w.stories)) + pi
	used := map[int32]bool{}
	for _, ps := range st.paras {
		for _, s := range ps {
			used[s.id] = true
		}
	}
	for range n {
		refs := w.freshRefs(r, st.topic, st.lang, 1+r.IntN(2), key, used)
		added = append(added, w.joinRefs(refs))
	}
	paras := append([]string{pt.paras[0]}, added...)
	paras = append(paras, pt.paras[1:]...)
	pt.paras = paras
	// the new headline comes from the first new sentence that can lead
	for _, a := range added {
		for _, sent := range splitSentences(a) {
			if t := headline(sent); goodLead(sent) && t != "" && t != pt.title && pt.edits&eHeadline == 0 {
				pt.title = t
				pt.edits |= eHeadline
			}
		}
	}
	if pt.edits&eHeadline == 0 {
		pt.title = "Update: " + pt.title
		pt.edits |= eHeadline
	}
	pt.edits |= eAdd
	return pt
}

// freshRefs picks n sentences of a language not in used, preferring the topic article.
func (w *Web) freshRefs(r *rand.Rand, topic int, lang string, n int, key int32, used map[int32]bool) []sref {
	var out []sref
	arts := w.bank.byLang[lang]
	for tries := 0; len(out) < n && tries < 100; tries++ {
		ai := topic
		if ai < 0 || tries%2 == 1 {
			ai = arts[r.IntN(len(arts))]
		}
		ids := w.bank.arts[ai]
		id := ids[r.IntN(len(ids))]
		if used[id] {
			continue
		}
		used[id] = true
		out = append(out, sref{id, key})
	}
	return out
}

// splitSentences splits a paragraph at ". " boundaries (roughly).
func splitSentences(p string) []string {
	var out []string
	for {
		i := strings.Index(p, ". ")
		if i < 0 {
			break
		}
		out = append(out, p[:i+1])
		p = p[i+2:]
	}
	return append(out, p)
}

func firstSentence(p string) string {
	if i := strings.Index(p, ". "); i > 0 {
		return p[:i+1]
	}
	return p
}

var wordingSubs = []struct{ from, to string }{
	{" percent", " per cent"}, {" per cent", " percent"}, {"U.S.", "US"}, {" said ", " stated "},
	{" says ", " said "}, {" more than ", " over "}, {" about ", " around "}, {" because ", " as "},
	{" also ", " "}, {" very ", " "}, {"However, ", "But "}, {" million", "m"}, {" including ", " among them "},
	{"Mr. ", "Mr "}, {"Dr. ", "Dr "}, {" people ", " residents "}, {" but ", " yet "}, {" said.", " said on Monday."},
}

var editorNotes = []string{
	"Editor's note: This story has been updated to correct the spelling of a name.",
	"Editor's note: An earlier version of this article misstated the day of the meeting.",
	"Editor's note: This article is part of our partnership with %s.",
	"Editor's note: This story was first published by %s and has been edited for length.",
}

// renderCopy applies the copy's edits to the version it was made from.
// An edit that would change nothing is left out of the result.
func (w *Web) renderCopy(pi int32) parts {
	p := &w.pages[pi]
	src := w.renderParts(p.of)
	st := &w.stories[p.story]
	wire := w.outlets[st.outlet]
	o := w.outlets[p.outlet]
	// one generator per edit, so that dropping an edit that changed nothing
	// leaves the others exactly as they were
	re := func(e uint16) *rand.Rand { return rngFor(w.opts.Seed, saltPage, 2<<40|uint64(pi), uint64(e)) }
	pt := parts{title: src.title, byline: src.byline, dateline: src.dateline, paras: append([]string(nil), src.paras...)}
	want := p.edits
	if want&eHeadline != 0 {
		editHeadline(re(eHeadline), &pt, src)
	}
	if want&eByline != 0 {
		editByline(re(eByline), &pt, src, o, wire)
	}
	if want&eTrimEnd != 0 && len(pt.paras) >= 5 {
		r := re(eTrimEnd)
		k := 1 + r.IntN(min(3, len(pt.paras)-4))
		pt.paras = pt.paras[:len(pt.paras)-k]
		pt.edits |= eTrimEnd
	}
	if want&eWording != 0 {
		editWording(re(eWording), &pt)
	}
	if want&eDateline != 0 && src.dateline != "" {
		r := re(eDateline)
		city := strings.TrimSuffix(strings.SplitN(src.dateline, " (", 2)[0], " — ")
		cands := []string{"", city + " — ", titleCase(strings.ToLower(city)) + " (" + wire.abbrev + ") — ", city + ", (" + wire.abbrev + ") — "}
		c := cands[r.IntN(len(cands))]
		if c != src.dateline {
			pt.dateline = c
			pt.edits |= eDateline
		}
	}
	if want&eLocal != 0 {
		r := re(eLocal)
		used := map[int32]bool{}
		key := int32(len(w.stories)) + pi
		refs := w.freshRefs(r, -1, "en", 1+r.IntN(2), key, used)
		pos := 1 + r.IntN(len(pt.paras))
		pt.paras = append(pt.paras, "")
		copy(pt.paras[pos+1:], pt.paras[pos:])
		pt.paras[pos] = w.joinRefs(refs)
		pt.edits |= eLocal
	}
	if want&eNote != 0 {
		r := re(eNote)
		note := editorNotes[r.IntN(len(editorNotes))]
		note = strings.Replace(note, "%s", wire.name, 1)
		if r.IntN(2) == 0 {
			// the dateline stays with the first paragraph of the story
			if pt.dateline != "" && len(pt.paras) > 0 {
				pt.paras[0] = pt.dateline + pt.paras[0]
				pt.dateline = ""
			}
			pt.paras = append([]string{note}, pt.paras...)
		} else {
			pt.paras = append(pt.paras, note)
		}
		pt.edits |= eNote
	}
	return pt
}

// editHeadline gives a copy another headline from its source's text.
func editHeadline(r *rand.Rand, pt *parts, src parts) {
	cands := []string{titleCase(src.title)}
	if len(src.paras) > 1 {
		cands = append(cands, headline(firstSentence(src.paras[1])))
	}
	if strings.Count(src.paras[0], ". ") > 0 {
		cands = append(cands, headline(strings.SplitN(src.paras[0], ". ", 2)[1]))
	}
	start := r.IntN(len(cands))
	for i := range cands {
		if c := cands[(start+i)%len(cands)]; c != "" && c != src.title {
			pt.title = c
			pt.edits |= eHeadline
			break
		}
	}
}

// editByline gives a copy of wire's story a byline of outlet o's.
func editByline(r *rand.Rand, pt *parts, src parts, o, wire *outletSpec) {
	local := o.reporters[r.IntN(len(o.reporters))]
	cands := []string{
		"By " + local + " with " + wire.abbrev,
		wire.name,
		src.byline + ", " + wire.name,
		"From staff and wire reports",
		src.byline + " (" + wire.abbrev + ")",
		"By " + local + " and " + strings.TrimPrefix(src.byline, "By ") + ", " + wire.name,
	}
	c := cands[r.IntN(len(cands))]
	if c != src.byline {
		pt.byline = c
		pt.edits |= eByline
	}
}

// editWording rewords one or two paragraphs of a copy.
func editWording(r *rand.Rand, pt *parts) {
	order := r.Perm(len(pt.paras))
	done := 0
	for _, i := range order {
		if done == 2 || (done == 1 && r.IntN(2) == 0) {
			break
		}
		s := " " + pt.paras[i] + " "
		for _, sub := range wordingSubs {
			if strings.Contains(s, sub.from) {
				s = strings.Replace(s, sub.from, sub.to, 1)
				pt.paras[i] = strings.TrimSpace(s)
				done++
				break
			}
		}
	}
	if done > 0 {
		pt.edits |= eWording
	}
}

var headlineStop = map[string]bool{"the": true, "a": true, "an": true, "of": true, "to": true, "and": true, "in": true,
	"on": true, "for": true, "with": true, "that": true, "by": true, "at": true, "from": true, "as": true, "is": true,
	"was": true, "or": true, "its": true, "their": true, "his": true, "her": true, "but": true, "which": true, "who": true,
	"der": true, "die": true, "das": true, "und": true, "yang": true, "dan": true, "di": true}

// headline shortens a sentence into a headline: up to the first clause
// break, at most eleven words, no trailing function words or punctuation.
func headline(s string) string {
	s = strings.TrimLeft(s, "\"“‘'( ")
	words := strings.Fields(s)
	if len(words) == 0 {
		return ""
	}
	if len(words) == 1 && utf8.RuneCountInString(s) > 40 {
		rs := []rune(s)
		return string(rs[:30])
	}
	cut := len(words)
	for i, wd := range words {
		if i >= 4 && (strings.HasSuffix(wd, ",") || strings.HasSuffix(wd, ";") || strings.HasSuffix(wd, ":")) {
			cut = i + 1
			break
		}
	}
	if cut > 10 {
		// end before a function word, as a subeditor would
		cut = 10
		for i := 10; i >= 5; i-- {
			if i < len(words) && headlineStop[strings.ToLower(words[i])] {
				cut = i
				break
			}
		}
	}
	words = words[:cut]
	for len(words) > 3 && headlineStop[strings.ToLower(strings.Trim(words[len(words)-1], ",;:.\"”’"))] {
		words = words[:len(words)-1]
	}
	h := strings.Join(words, " ")
	h = strings.TrimRight(h, ",;:.!?\"”’'( —-")
	h = strings.TrimSpace(h)
	if rs := []rune(h); len(rs) > 0 && unicode.IsLower(rs[0]) {
		rs[0] = unicode.ToUpper(rs[0])
		h = string(rs)
	}
	// unbalanced quotes read badly in a headline
	if strings.Count(h, "“") != strings.Count(h, "”") {
		h = strings.NewReplacer("“", "", "”", "").Replace(h)
	}
	if strings.Count(h, "\"")%2 == 1 {
		h = strings.ReplaceAll(h, "\"", "")
	}
	return h
}

// titleCase capitalises every word but short function words.
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, wd := range words {
		if i > 0 && headlineStop[strings.ToLower(wd)] {
			continue
		}
		rs := []rune(wd)
		if len(rs) > 0 && unicode.IsLower(rs[0]) {
			rs[0] = unicode.ToUpper(rs[0])
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

var asciiFold = map[rune]string{'‘': "'", '’': "'", '‚': "'", '′': "'", '“': "\"", '”': "\"", '„': "\"", '″': "\"",
	'—': "-", '–': "-", '‐': "-", '‑': "-", '…': "...", '€': "EUR", '•': "*", '™': "(TM)"}

// foldFor replaces characters that the charset cannot encode.
func foldFor(cm *charmap.Charmap, s string) string {
	ok := true
	for _, r := range s {
		if _, enc := cm.EncodeRune(r); !enc {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if _, enc := cm.EncodeRune(r); enc {
			b.WriteRune(r)
		} else if f, has := asciiFold[r]; has {
			b.WriteString(f)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}
