package testweb

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

type feedSpec struct {
	path   string
	format string // rss, atom, json
	// proxy: item links go through /go/NUM redirects; tracking: links carry
	// utm_* parameters; full: items carry the full article HTML.
	proxy, tracking, full bool
}

type outletSpec struct {
	index      int
	name, slug string
	wire       bool
	abbrev     string
	lang       string // "en" or "multi"
	charset    string
	decl       string // header+meta, header, meta
	base, host string
	template   int
	urlStyle   int
	feeds      []feedSpec
	smStyle    int  // 0: index -> plain children; 1: single gzipped; 2: index -> gzipped children
	news       bool // has a Google News sitemap
	amp        bool
	crawlDelay bool
	reporters  []string
	color      string
}

func (o *outletSpec) public() Outlet {
	out := Outlet{Index: o.index, Name: o.name, BaseURL: o.base, Host: o.host, Wire: o.wire,
		Abbrev: o.abbrev, Lang: o.lang, Charset: o.charset, CharsetDecl: o.decl,
		Home: o.base + "/", Robots: o.base + "/robots.txt"}
	for _, f := range o.feeds {
		out.Feeds = append(out.Feeds, Feed{URL: o.base + f.path, Format: f.format})
	}
	for _, s := range o.sitemapRoots() {
		out.Sitemaps = append(out.Sitemaps, o.base+s)
	}
	return out
}

// sitemapRoots are the sitemaps named in robots.txt and the seeds.
func (o *outletSpec) sitemapRoots() []string {
	var s []string
	switch o.smStyle {
	case 0:
		s = append(s, "/sitemap.xml")
	case 1:
		s = append(s, "/sitemap.xml.gz")
	default:
		s = append(s, "/sitemap_index.xml")
	}
	if o.news {
		s = append(s, "/news-sitemap.xml")
	}
	return s
}

var (
	wireNames   = []struct{ name, abbrev string }{{"Allied Press", "AP"}, {"Continental Wire", "CW"}, {"Meridian News Agency", "MNA"}}
	namePrefix  = []string{"Metro", "Riverside", "Northern", "Harbor", "Valley", "Capital", "Lakeside", "Prairie", "Summit", "Coastal", "Granite", "Evergreen", "Bayview", "Highland", "Union", "Westfield", "Eastbrook", "Pinecrest", "Redwood", "Silverton"}
	nameSuffix  = []string{"Tribune", "Courier", "Herald", "Gazette", "Post", "Sentinel", "Chronicle", "Ledger", "Observer", "Times", "Dispatch", "Journal", "Register", "Record", "Star"}
	intlNames   = []string{"Global Digest", "Weltspiegel International", "Nusantara Review", "Orbis Daily"}
	firstNames  = []string{"Daniel", "Maria", "James", "Aisha", "Thomas", "Elena", "Michael", "Priya", "Robert", "Sofia", "David", "Hannah", "Kenji", "Laura", "Samuel", "Grace", "Omar", "Claire", "Lucas", "Nadia", "Peter", "Julia", "Mark", "Rosa", "Ahmed", "Emily", "Victor", "Anna", "Carlos", "Zoe"}
	lastNames   = []string{"Bellamy", "Okafor", "Lindqvist", "Moreno", "Chen", "Hartley", "Novak", "Ferreira", "Kowalski", "Brennan", "Sato", "Whitfield", "Adeyemi", "Dubois", "Castillo", "Mercer", "Halvorsen", "Rahman", "Fitzgerald", "Ivanova", "Thornton", "Nakamura", "Osei", "Delgado", "Park", "Weiss", "Gallagher", "Soto", "Quinn", "Marsh"}
	cities      = []string{"WASHINGTON", "NEW YORK", "LONDON", "BRUSSELS", "MOSCOW", "BEIJING", "TOKYO", "PARIS", "BERLIN", "LOS ANGELES", "CHICAGO", "SYDNEY", "NAIROBI", "MEXICO CITY", "SEOUL", "GENEVA", "KYIV", "ROME", "MADRID", "TORONTO", "JOHANNESBURG", "SAN FRANCISCO", "ATLANTA", "DENVER"}
	sections    = []string{"world", "politics", "business", "technology", "science", "sports", "health", "culture"}
	charsetPlan = []struct{ charset, decl string }{{"utf-8", "header+meta"}, {"utf-8", "header+meta"}, {"windows-1252", "header"}, {"iso-8859-1", "meta"}, {"utf-8", "bom+meta"}}
	colors      = []string{"#b00020", "#0b3d91", "#1b5e20", "#4a148c", "#e65100", "#006064", "#37474f", "#880e4f"}
)

func (w *Web) makeOutlets() {
	n := w.opts.Outlets
	r := rngFor(w.opts.Seed, saltOutlet)
	perm := r.Perm(len(namePrefix) * len(nameSuffix))
	used := 0
	wires := 0
	for i := range n {
		o := &outletSpec{index: i, lang: "en", template: i % 4, urlStyle: i % 4, color: colors[(i+r.IntN(len(colors)))%len(colors)]}
		plan := charsetPlan[i%len(charsetPlan)]
		o.charset, o.decl = plan.charset, plan.decl
		switch {
		case i%8 == 0:
			wn := wireNames[wires%len(wireNames)]
			o.wire, o.name, o.abbrev = true, wn.name, wn.abbrev
			if wires >= len(wireNames) {
				o.name += fmt.Sprintf(" %d", wires/len(wireNames)+1)
			}
			wires++
			o.charset, o.decl = "utf-8", "header+meta"
		case i%5 == 4:
			o.lang = "multi"
			o.name = intlNames[(i/5)%len(intlNames)]
			if i/5 >= len(intlNames) {
				o.name += fmt.Sprintf(" %d", i/5)
			}
			o.charset, o.decl = "utf-8", "bom+meta"
		default:
			k := perm[used%len(perm)]
			used++
			o.name = "The " + namePrefix[k/len(nameSuffix)] + " " + nameSuffix[k%len(nameSuffix)]
			if used > len(perm) {
				o.name += fmt.Sprintf(" %d", used/len(perm)+1)
			}
		}
		o.slug = slugify(o.name, 6)
		if i < len(w.opts.BaseURLs) && w.opts.BaseURLs[i] != "" {
			o.base = strings.TrimRight(w.opts.BaseURLs[i], "/")
		} else {
			o.base = fmt.Sprintf("http://outlet%d.test", i)
		}
		if u, err := url.Parse(o.base); err == nil {
			o.host = u.Host
		}
		switch i % 3 {
		case 0:
			o.feeds = []feedSpec{{path: "/feed/", format: "rss", full: true}, {path: "/atom.xml", format: "atom"}, {path: "/feed.json", format: "json"}}
		case 1:
			o.feeds = []feedSpec{{path: "/rss.xml", format: "rss", tracking: true}, {path: "/feed.json", format: "json"}}
		default:
			o.feeds = []feedSpec{{path: "/feeds/all.atom", format: "atom", proxy: true}, {path: "/rss/news.xml", format: "rss", proxy: true}}
		}
		o.smStyle = i % 3
		o.news = i%2 == 0
		o.amp = i%4 == 1
		o.crawlDelay = i%2 == 0
		for range 6 {
			o.reporters = append(o.reporters, firstNames[r.IntN(len(firstNames))]+" "+lastNames[r.IntN(len(lastNames))])
		}
		w.outlets = append(w.outlets, o)
	}
	w.byPath = make([]map[string]int32, n)
	w.byNum = make([]map[int32]int32, n)
	for i := range w.byPath {
		w.byPath[i] = map[string]int32{}
		w.byNum[i] = map[int32]int32{}
	}
}

func (w *Web) wireOutlets() []int {
	var s []int
	for i, o := range w.outlets {
		if o.wire {
			s = append(s, i)
		}
	}
	return s
}

func (w *Web) otherOutlets() []int {
	var s []int
	for i, o := range w.outlets {
		if !o.wire {
			s = append(s, i)
		}
	}
	return s
}

// leadPool lists, per language, sentences that make good leads, in a
// seed-dependent order, so consecutive stories take different leads.
func (w *Web) leadPool(lang string) []int32 {
	var pool []int32
	for _, ai := range w.bank.byLang[lang] {
		for _, id := range w.bank.arts[ai] {
			s := w.bank.sents[id]
			n := utf8.RuneCountInString(s)
			first, _ := utf8.DecodeRuneInString(s)
			if n >= 60 && n <= 260 && unicode.IsUpper(first) && goodLead(s) {
				pool = append(pool, id)
			}
		}
	}
	r := rngFor(w.opts.Seed, saltStory, hashString("leads:"+lang))
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	return pool
}

var badStarts = []string{"Also", "But", "And", "So", "Q:", "A:", "However", "This", "That", "These", "Those", "It", "Its", "It’s", "They", "He", "She", "We", "I", "You", "Our", "His", "Her", "Their", "Then", "Still", "Yet", "Or", "Here", "There", "Now", "Instead", "Plus"}

// goodLead says whether a sentence can open a story (and give a headline):
// no leading quote and no word that refers back to something before it.
func goodLead(s string) bool {
	if s == "" || strings.ContainsAny(s[:1], "\"“‘'(") {
		return false
	}
	first := strings.Fields(s)[0]
	first = strings.TrimRight(first, ",:;")
	if len(first) >= 2 && strings.ToUpper(first) == first {
		return false // a dateline of its own ("CLEVELAND, Ohio –") or an acronym
	}
	for _, b := range badStarts {
		if strings.EqualFold(first, b) {
			return false
		}
	}
	return !strings.Contains(s, "?")
}

// nonEnglish are the bank languages with enough sentences to build stories.
var nonEnglish = []string{"de", "id"}

func (w *Web) makeStories() {
	wires, others := w.wireOutlets(), w.otherOutlets()
	var intl []int
	for _, i := range others {
		if w.outlets[i].lang == "multi" {
			intl = append(intl, i)
		}
	}
	leads := map[string][]int32{}
	leadNext := map[string]int{}
	for _, l := range append([]string{"en"}, nonEnglish...) {
		leads[l] = w.leadPool(l)
	}
	span := 10 * 24 * time.Hour
	nonEn := map[string]int{}
	var recentWire []int
	for i := range w.opts.Stories {
		r := rngFor(w.opts.Seed, saltStory, uint64(i))
		st := story{related: -1, lang: "en"}
		x := r.Float64()
		switch {
		case x < 0.15 && len(recentWire) > 0:
			st.kind = sFollow
			st.related = recentWire[r.IntN(len(recentWire))]
			st.outlet = w.stories[st.related].outlet
		case x < 0.68:
			st.kind = sWire
			st.outlet = wires[r.IntN(len(wires))]
		default:
			st.kind = sStaff
			st.outlet = others[r.IntN(len(others))]
			if len(intl) > 0 && r.IntN(5) == 0 {
				st.outlet = intl[r.IntN(len(intl))]
			}
			if w.outlets[st.outlet].lang == "multi" && r.IntN(10) < 6 {
				// the non-English pools are small: past a few stories per
				// language they would repeat each other, so English it is
				l := nonEnglish[r.IntN(len(nonEnglish))]
				if nonEn[l] < len(w.bank.sentsOf(l))/6 {
					st.lang = l
					nonEn[l]++
				}
			}
		}
		st.published = w.opts.Now.Add(-time.Duration(r.Int64N(int64(span)))).Truncate(time.Minute)
		if st.kind == sFollow {
			rel := &w.stories[st.related]
			st.published = rel.published.Add(6*time.Hour + time.Duration(r.Int64N(int64(48*time.Hour)))).Truncate(time.Minute)
			if st.published.After(w.opts.Now) {
				st.published = w.opts.Now.Add(-time.Duration(r.IntN(60)) * time.Minute)
			}
		}
		o := w.outlets[st.outlet]
		st.reporter = o.reporters[r.IntN(len(o.reporters))]
		if st.kind != sStaff || (st.lang == "en" && r.IntN(10) < 4) {
			st.city = cities[r.IntN(len(cities))]
		}
		lp := leads[st.lang]
		lead := lp[leadNext[st.lang]%len(lp)]
		// once every lead has been used, the lead's article is no longer
		// the topic, so stories that share a lead share little else
		reused := leadNext[st.lang] >= len(lp)
		leadNext[st.lang]++
		st.brief = w.opts.Crowded && st.kind != sFollow && isBrief(w.opts.Seed, i)
		w.composeStory(r, i, &st, lead, reused)
		w.stories = append(w.stories, st)
		// a follow-up is followed in turn (a chain of second-day stories);
		// a brief is too short to quote and to repeat a background from
		if (st.kind == sWire || w.opts.Crowded && st.kind == sFollow) && !st.brief {
			recentWire = append(recentWire, i)
			if len(recentWire) > 40 {
				recentWire = recentWire[1:]
			}
		}
	}
}

// composeStory fills st.paras: a lead, sentences mostly from the lead's
// source article (in their order), some from elsewhere, in short paragraphs;
// a follow-up also quotes two sentences of the story it follows, repeats
// its background (last) paragraph verbatim and names it in an "Earlier this
// week: <headline>" line: the hard negatives of dedup.
func (w *Web) composeStory(r *rand.Rand, idx int, st *story, lead int32, reused bool) {
	b := w.bank
	key := int32(idx)
	// the lead's article is the topic
	topic := -1
	for _, ai := range b.byLang[st.lang] {
		ids := b.arts[ai]
		if len(ids) > 0 && lead >= ids[0] && lead <= ids[len(ids)-1] {
			topic = ai
			break
		}
	}
	if reused {
		langArts := b.byLang[st.lang]
		topic = langArts[r.IntN(len(langArts))]
	}
	st.topic = topic
	n := 7 + r.IntN(10)
	if st.kind == sFollow {
		n = 6 + r.IntN(6)
	}
	if st.brief {
		n = briefSentences(w.opts.Seed, idx)
	}
	if st.lang != "en" {
		n = 5 + r.IntN(4) // the non-English pools are small
	}
	// sentences come from decks that are dealt in turn, so that stories on
	// one topic share as few sentences as the bank allows
	used := map[int32]bool{lead: true}
	var picks []int32
	if topic >= 0 {
		// a short topic article would be dealt again too soon
		k := min(n/2, max(1, len(b.arts[topic])/4))
		picks = w.decks.deal(r, "t"+strconv.Itoa(topic), func() []int32 { return b.arts[topic] }, k, used)
		sortInt32(picks)
	}
	topicPicks := len(picks)
	for _, id := range w.decks.deal(r, "l"+st.lang, func() []int32 { return b.sentsOf(st.lang) }, n-len(picks), used) {
		// other sentences go after most of the topic ones
		pos := topicPicks/2 + r.IntN(len(picks)-topicPicks/2+1)
		picks = append(picks, 0)
		copy(picks[pos+1:], picks[pos:])
		picks[pos] = id
	}
	refs := make([]sref, 0, len(picks)+1)
	refs = append(refs, sref{lead, key})
	for _, id := range picks {
		refs = append(refs, sref{id, key})
	}
	var background []sref
	if st.kind == sFollow {
		refs, background = w.quoteFollowed(r, st, refs)
	}
	paras := splitParas(r, refs)
	if background != nil {
		// the "Earlier this week" line goes after the lede or just before
		// the background paragraph it repeats (see renderStory)
		st.earlierAt = 1
		if r.IntN(2) == 0 {
			st.earlierAt = len(paras)
		}
		paras = append(paras, background)
	}
	st.paras = paras
}

// splitParas makes paragraphs of refs: the lead alone or with one more;
// then 1-3 sentences each; the last paragraph (background) has two
// sentences when possible.
func splitParas(r *rand.Rand, refs []sref) [][]sref {
	var paras [][]sref
	i := 1
	if r.IntN(3) == 0 && len(refs) > 4 {
		i = 2
	}
	paras = append(paras, refs[:i])
	for i < len(refs) {
		k := 1 + r.IntN(3)
		if rest := len(refs) - i; rest <= 3 {
			k = rest
		}
		paras = append(paras, refs[i:i+k])
		i += k
	}
	return paras
}

// decks deal sentence ids without replacement, reshuffling a deck when it
// runs out.
type decks struct {
	cards map[string][]int32
	pos   map[string]int
}

func (d *decks) deal(r *rand.Rand, name string, ids func() []int32, n int, used map[int32]bool) []int32 {
	if d.cards == nil {
		d.cards, d.pos = map[string][]int32{}, map[string]int{}
	}
	deck, ok := d.cards[name]
	if !ok {
		deck = append([]int32(nil), ids()...)
		r.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
		d.cards[name] = deck
	}
	var out []int32
	for tries := 0; len(out) < n && tries < 2*len(deck); tries++ {
		if d.pos[name] >= len(deck) {
			r.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
			d.pos[name] = 0
		}
		id := deck[d.pos[name]]
		d.pos[name]++
		if !used[id] {
			used[id] = true
			out = append(out, id)
		}
	}
	return out
}

func sortInt32(s []int32) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (w *Web) addPage(p page) int32 {
	idx := int32(len(w.pages))
	p.num = 100000 + idx*7 + int32(p.outlet)%7
	w.pages = append(w.pages, p)
	return idx
}

func (w *Web) makePages() {
	others := w.otherOutlets()
	for si := range w.stories {
		st := &w.stories[si]
		r := rngFor(w.opts.Seed, saltPage, uint64(si))
		switch st.kind {
		case sStaff:
			w.addPage(page{story: int32(si), outlet: int16(st.outlet), kind: kStaff, of: -1, published: st.published,
				disallowed: r.IntN(100) < 4})
			continue
		}
		k := kOriginal
		if st.kind == sFollow {
			k = kFollowup
		}
		orig := w.addPage(page{story: int32(si), outlet: int16(st.outlet), kind: k, of: -1, published: st.published})
		upd := int32(-1)
		if st.kind == sWire && r.IntN(100) < 30 {
			t := st.published.Add(time.Hour + time.Duration(r.Int64N(int64(5*time.Hour)))).Truncate(time.Minute)
			if t.Before(w.opts.Now) {
				upd = w.addPage(page{story: int32(si), outlet: int16(st.outlet), kind: kUpdate, of: orig,
					published: t, edits: eHeadline | eAdd})
			}
		}
		w.addCopies(r, si, orig, upd, others)
	}
	w.finishPages()
}

// addCopies adds the copies of story si on other outlets, made from its
// original page orig or, when they come after it, its update upd (-1: none).
func (w *Web) addCopies(r *rand.Rand, si int, orig, upd int32, others []int) {
	st := &w.stories[si]
	maxCopies := min(len(others), 12)
	nc := 1 + r.IntN(maxCopies)
	if r.IntN(4) == 0 {
		nc = 1 + r.IntN(min(maxCopies, 3))
	}
	perm := r.Perm(len(others))
	for c := range nc {
		oi := others[perm[c]]
		t := st.published.Add(10*time.Minute + time.Duration(r.Int64N(int64(8*time.Hour)))).Truncate(time.Minute)
		if t.After(w.opts.Now) {
			continue
		}
		of := orig
		if upd >= 0 && t.After(w.pages[upd].published) {
			of = upd
		}
		var e uint16
		for _, c := range []struct {
			bit uint16
			pct int
		}{{eHeadline, 70}, {eByline, 80}, {eTrimEnd, 35}, {eWording, 30}, {eDateline, 40}, {eLocal, 25}, {eNote, 10}} {
			if r.IntN(100) < c.pct {
				e |= c.bit
			}
		}
		w.addPage(page{story: int32(si), outlet: int16(oi), kind: kCopy, of: of, published: t, edits: e})
	}
}

// finishPages completes the pages once all are added: a disallowed page on
// every outlet with staff stories, exact edits, titles, paths and listing
// positions.
func (w *Web) finishPages() {
	// every outlet with staff stories gets at least one disallowed page
	has := make([]bool, len(w.outlets))
	for i := range w.pages {
		if w.pages[i].disallowed {
			has[w.pages[i].outlet] = true
		}
	}
	for i := range w.pages {
		p := &w.pages[i]
		if p.kind == kStaff && !has[p.outlet] {
			p.disallowed, has[p.outlet] = true, true
		}
	}
	// edits that turn out to change nothing are dropped, so Edits is exact;
	// then paths, which need the final titles
	w.genCache = map[int32]parts{}
	for i := range w.pages {
		p := &w.pages[i]
		p.title, _, _, p.edits = w.render(int32(i))
	}
	w.genCache = nil
	for i := range w.pages {
		p := &w.pages[i]
		p.path = w.makePath(int32(i), p.title)
		w.byPath[p.outlet][p.path] = int32(i)
		w.byNum[p.outlet][p.num] = int32(i)
	}
	w.recent = make([][]int32, len(w.outlets))
	for i := range w.pages {
		p := &w.pages[i]
		w.recent[p.outlet] = append(w.recent[p.outlet], int32(i))
	}
	for oi := range w.recent {
		rs := w.recent[oi]
		sortPagesNewest(w, rs)
		for k, pi := range rs {
			w.pages[pi].pos = int32(k)
		}
	}
}

func sortPagesNewest(w *Web, s []int32) {
	less := func(a, b int32) bool {
		pa, pb := &w.pages[a], &w.pages[b]
		if !pa.published.Equal(pb.published) {
			return pa.published.After(pb.published)
		}
		return a > b
	}
	// insertion sort is too slow for 20k; use a simple merge sort
	tmp := make([]int32, len(s))
	var ms func(lo, hi int)
	ms = func(lo, hi int) {
		if hi-lo < 2 {
			return
		}
		mid := (lo + hi) / 2
		ms(lo, mid)
		ms(mid, hi)
		i, j, k := lo, mid, lo
		for i < mid && j < hi {
			if less(s[j], s[i]) {
				tmp[k] = s[j]
				j++
			} else {
				tmp[k] = s[i]
				i++
			}
			k++
		}
		for i < mid {
			tmp[k] = s[i]
			i++
			k++
		}
		for j < hi {
			tmp[k] = s[j]
			j++
			k++
		}
		copy(s[lo:hi], tmp[lo:hi])
	}
	ms(0, len(s))
}
