package testweb

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Page kinds, as found in Page.Kind.
const (
	KindOriginal = "original" // a wire story as its wire service published it
	KindCopy     = "copy"     // a syndicated copy of a wire story (or of its update)
	KindUpdate   = "update"   // a later, longer version of a wire story at a new URL
	KindFollowup = "followup" // a different story on the same topic that quotes the first one
	KindStaff    = "staff"    // a story written by one outlet and published only there
)

// Edit names, as found in Page.Edits, in the order they are applied.
const (
	EditHeadline       = "headline"        // another headline
	EditByline         = "byline"          // another byline ("By X with AP", "Allied Press", ...)
	EditTrimEnd        = "trim_end"        // the last paragraphs dropped
	EditWording        = "wording"         // small wording changes in one or two paragraphs
	EditDateline       = "dateline"        // the dateline changed or dropped
	EditLocalParagraph = "local_paragraph" // a paragraph of local context added
	EditEditorNote     = "editor_note"     // an editor's note added at the start or the end
	EditAddParagraphs  = "add_paragraphs"  // (updates) new paragraphs after the lead
	EditCharsetFold    = "charset_fold"    // characters the page's legacy charset cannot encode were folded (’ to ', — to -)
)

var editOrder = []string{EditHeadline, EditByline, EditTrimEnd, EditWording, EditDateline,
	EditLocalParagraph, EditEditorNote, EditAddParagraphs, EditCharsetFold}

const (
	eHeadline uint16 = 1 << iota
	eByline
	eTrimEnd
	eWording
	eDateline
	eLocal
	eNote
	eAdd
	eFold
)

// Options configures the simulated web. Its zero value works: every zero field
// means the documented default.
type Options struct {
	// Seed makes the web deterministic: the same seed and options give the
	// same truth and the same bytes (apart from the base URLs).
	Seed int64
	// Outlets is the number of outlets (default 5). Outlet 0 is a wire
	// service; with 8 or more outlets every eighth one is a wire too.
	Outlets int
	// Stories is the number of underlying stories (default 380, about 1,000
	// pages with 5 outlets). Pages ≈ stories × copies; see Web.Stats.
	Stories int
	// Faults turns on the faults mode: some URLs fail their first requests
	// (429, 503, 5xx, resets, truncated gzip, slow bodies) and trap URLs
	// (oversized bodies, redirect loops, malformed feeds, non-HTML bodies)
	// are listed. See Web.Traps and Page.Fault.
	Faults bool
	// BaseURLs are the outlets' base URLs ("http://127.0.0.2:8080") when the
	// caller serves the handlers itself. Missing entries default to the
	// placeholder http://outletN.test. Start sets them from its listeners.
	BaseURLs []string
	// Addrs are the listen addresses Start uses, one per outlet; missing
	// entries default to 127.0.0.(2+i):0, or 127.0.0.1:0 where that address
	// cannot be bound. Only loopback addresses are accepted.
	Addrs []string
	// CachePages keeps each article response (encoded and gzipped) after
	// its first request, so that a benchmark measures the crawler rather
	// than the rendering of the simulated pages. A cached page stays as
	// first rendered. Default off: pages are rendered on every request and
	// memory stays small for large webs.
	CachePages bool
	// CrawlDelay, when positive, is announced as "Crawl-delay" for every
	// user agent in the robots.txt of every other outlet (0, 2, 4, ...).
	// Zero (the default) announces one only for a user agent named
	// "SlowBot", so crawls stay fast while the line is still there to parse.
	CrawlDelay time.Duration
	// RetryAfter is the Retry-After sent with 429 and 503 in faults mode
	// (default 1s; whole seconds).
	RetryAfter time.Duration
	// SlowDelay is how long slow responses wait before their headers, and
	// again while trickling their body (default 300ms).
	SlowDelay time.Duration
	// Crowded adds the cases whose harm grows with the number of stories
	// (see house.go): briefs of two to four sentences, outlets' standing
	// paragraphs in every article, follow-ups of follow-ups. Off by
	// default, so that webs generated before stay as they were.
	Crowded bool
	// Now is the web's clock: the newest publication time (default
	// 2026-11-20T12:00:00Z). Stories are published in the ten days before.
	Now time.Time
}

// defaultNow is the default clock: fixed, so that bytes are deterministic.
var defaultNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func (o Options) withDefaults() Options {
	if o.Outlets <= 0 {
		o.Outlets = 5
	}
	if o.Stories <= 0 {
		o.Stories = 380
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = time.Second
	}
	if o.SlowDelay <= 0 {
		o.SlowDelay = 300 * time.Millisecond
	}
	if o.Now.IsZero() {
		o.Now = defaultNow
	}
	return o
}

// Page is the ground truth for one article URL. It is never served.
type Page struct {
	// URL is the absolute URL as served (with the outlet's base URL).
	URL string
	// StoryID is shared by the pages of one story: the original, its
	// syndicated copies and its updates. A follow-up has its own.
	StoryID string
	// Kind is one of KindOriginal, KindCopy, KindUpdate, KindFollowup, KindStaff.
	Kind string
	// Outlet is the site name (as in og:site_name); OutletIndex its index.
	Outlet      string
	OutletIndex int
	Title       string
	Byline      string
	// Body is the clean article text: paragraphs joined by "\n\n", exactly
	// what a perfect cleaner outputs (no headline, byline or boilerplate; an
	// inline dateline such as "LONDON (AP) — " is part of the first paragraph).
	// The reference lines an outlet puts among the paragraphs, as plain
	// paragraphs a cleaner cannot tell from the text, are part of it (see
	// References).
	Body      string
	Published time.Time
	// Lang is the page's language ("en", "de", "id").
	Lang string
	// Charset is the charset the page is served in ("utf-8", "windows-1252", "iso-8859-1").
	Charset string
	// Of is the URL of the page this one was derived from (copies: the
	// original or the update; updates: the original), empty otherwise.
	Of string
	// Edits lists the edits applied to Of's version, in the order of
	// editOrder (see the Edit* constants).
	Edits []string
	// Related is, for a follow-up, the StoryID of the story it follows.
	Related string
	// References are the paragraphs of Body that point at other articles
	// of the outlet ("Read more: <headline>", a heading and a list of
	// headlines), which some outlets' templates put inside the article
	// body. They belong to the page, not to the story: copies of one story
	// carry different ones, and different stories the same.
	References []string
	// House are the paragraphs of Body that the outlet's template puts in
	// every article it publishes, staff stories and syndicated copies alike:
	// a standing note about the outlet, a tip line, a corrections policy
	// (see houseStyle). Written as sentences, they are text a cleaner keeps.
	House []string
	// Disallowed marks pages under a path that robots.txt disallows: they
	// are served (and linked) but a polite crawler never fetches them.
	Disallowed bool
	// Aliases are other URLs that serve or redirect to this page (AMP
	// version, feed redirect links); tracking parameters are not listed.
	Aliases []string
	// Fault is the fault this URL shows in faults mode ("" for none), and
	// FaultCount how many requests fail before it answers normally (0 for
	// faults that never stop, like "slow").
	Fault      string
	FaultCount int
}

// Outlet describes one simulated site.
type Outlet struct {
	Index   int
	Name    string
	BaseURL string
	// Host is the host (and port) of BaseURL: every outlet has its own.
	Host string
	// Wire is true for wire services; Abbrev is their byline tag ("AP").
	Wire   bool
	Abbrev string
	// Lang is the outlet's main language; Charset what its pages are served in,
	// and CharsetDecl how that is declared: "header+meta", "header", "meta",
	// or "bom+meta" (a UTF-8 byte order mark and <meta charset>, no charset in the header).
	Lang, Charset, CharsetDecl string
	// Home, Feeds (RSS, Atom, JSON Feed), Sitemaps (the index or root
	// sitemaps, then Google News sitemaps) and Robots are absolute URLs.
	Home     string
	Feeds    []Feed
	Sitemaps []string
	Robots   string
	// Pages is the number of article pages (Truth entries) of the outlet.
	Pages int
}

// Feed is one feed of an outlet.
type Feed struct {
	URL    string
	Format string // "rss", "atom", "json"
}

// Request is one request the web answered, as logged server-side.
type Request struct {
	Time     time.Time // when the request arrived
	Duration time.Duration
	Outlet   int
	Host     string // the Host header
	Method   string
	URL      string // absolute: the outlet's base URL + request URI
	Path     string
	Status   int
	Bytes    int64
	// Fault is the fault applied to this answer, if any.
	Fault     string
	UserAgent string
	// IfNoneMatch and IfModifiedSince are the conditional headers sent.
	IfNoneMatch, IfModifiedSince string
}

// Trap is a URL served only in faults mode that never yields an article.
type Trap struct {
	URL string
	// Kind says what it does: "oversized", "endless", "redirect_loop",
	// "redirect_chain_long", "not_html", "binary_as_html", "gone",
	// "not_found", "malformed_feed", "html_as_feed", "trickle".
	Kind string
}

// sref is one sentence of a story: a bank sentence id and the key that
// perturbs its numbers.
type sref struct {
	id  int32
	key int32
}

type story struct {
	kind      uint8 // kindWire, kindStaff, kindFollow
	outlet    int   // the publishing outlet (the wire for wire stories)
	lang      string
	city      string
	reporter  string
	published time.Time
	paras     [][]sref
	related   int // followed story, -1
	topic     int
	// earlierAt is, for a follow-up, the index of the paragraph before
	// which an "Earlier this week: <headline of the followed story>" line
	// stands (0 for none).
	earlierAt int
	// brief: a news brief of two to four sentences (see isBrief)
	brief bool
}

const (
	sWire uint8 = iota
	sStaff
	sFollow
)

type page struct {
	story      int32
	outlet     int16
	kind       uint8 // index into kinds
	disallowed bool
	of         int32 // derived-from page, -1
	edits      uint16
	num        int32 // the outlet's article number
	published  time.Time
	path       string
	title      string // kept: listings and related links need many titles
	pos        int32  // index in w.recent[outlet]
}

var kinds = []string{KindOriginal, KindCopy, KindUpdate, KindFollowup, KindStaff}

const (
	kOriginal uint8 = iota
	kCopy
	kUpdate
	kFollowup
	kStaff
)

// Web is a generated simulated news web. Its methods are safe for
// concurrent use.
type Web struct {
	opts    Options
	bank    *sentenceBank
	outlets []*outletSpec
	stories []story
	pages   []page
	byPath  []map[string]int32 // per outlet: path -> page
	byNum   []map[int32]int32  // per outlet: article number -> page
	recent  [][]int32          // per outlet: served article pages, newest first

	traps    []trapSpec
	decks    decks           // used while generating stories
	genCache map[int32]parts // rendered sources of copies, while generating only

	pageCache sync.Map // with Options.CachePages: article key -> *cachedPage

	clock    atomic.Int64 // unix nanoseconds: pages published later are not served
	mu       sync.Mutex
	log      []*Request
	counts   map[string]int // outlet|path -> requests so far (faults)
	servers  []*http.Server
	closed   bool
	serveErr []error
	wg       sync.WaitGroup
	stop     chan struct{}
}

// Stats counts pages by kind and other facts about the web.
type Stats struct {
	Outlets, Stories, Pages int
	ByKind                  map[string]int
	ByLang                  map[string]int
	Disallowed              int
	WireStories             int // stories with at least one syndicated copy or update
	Traps                   int
}

// Generate builds the site model: outlets, stories and pages. It does no I/O
// and holds no HTML: pages are rendered when requested.
func Generate(opts Options) (*Web, error) {
	opts = opts.withDefaults()
	if opts.Outlets < 2 {
		return nil, fmt.Errorf("testweb: outlets: need at least 2 (a wire and one outlet), got %d", opts.Outlets)
	}
	b, err := loadBank()
	if err != nil {
		return nil, err
	}
	w := &Web{opts: opts, bank: b, counts: map[string]int{}, stop: make(chan struct{})}
	w.clock.Store(opts.Now.UnixNano())
	w.makeOutlets()
	w.makeStories()
	w.makePages()
	if opts.Faults {
		w.makeTraps()
	}
	return w, nil
}

// Options returns the options the web was generated with, defaults filled in.
func (w *Web) Options() Options { return w.opts }

// Outlets describes every outlet.
func (w *Web) Outlets() []Outlet {
	out := make([]Outlet, len(w.outlets))
	for i, o := range w.outlets {
		out[i] = o.public()
		out[i].Pages = len(w.visibleRecent(i))
	}
	return out
}

// Seeds returns the seed URLs: every outlet's home page, its feeds and
// its root sitemap (a sitemap index on some), plus its Google News sitemap
// where it has one; in faults mode also the malformed feeds. Every article
// URL that is not disallowed is listed in a sitemap reachable from them.
func (w *Web) Seeds() []string {
	var s []string
	for _, o := range w.outlets {
		s = append(s, o.base+"/")
		for _, f := range o.feeds {
			s = append(s, o.base+f.path)
		}
		for _, sm := range o.sitemapRoots() {
			s = append(s, o.base+sm)
		}
	}
	for _, t := range w.traps {
		if t.seed {
			s = append(s, w.outlets[t.outlet].base+t.path)
		}
	}
	return s
}

// Truth returns the ground truth of every article URL, in a stable order
// (by outlet, then publication time, then URL).
func (w *Web) Truth() []Page {
	out := make([]Page, 0, len(w.pages))
	for i := range w.pages {
		if w.visible(int32(i)) {
			out = append(out, w.truth(int32(i)))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.OutletIndex != b.OutletIndex {
			return a.OutletIndex < b.OutletIndex
		}
		if !a.Published.Equal(b.Published) {
			return a.Published.Before(b.Published)
		}
		return a.URL < b.URL
	})
	return out
}

// TruthFor returns the truth for one article URL (its canonical URL or
// one of its aliases).
func (w *Web) TruthFor(rawURL string) (Page, bool) {
	for oi, o := range w.outlets {
		if !strings.HasPrefix(rawURL, o.base+"/") {
			continue
		}
		path := strings.TrimPrefix(rawURL, o.base)
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			path = path[:i]
		}
		if pi, ok := w.byPath[oi][path]; ok && w.visible(pi) {
			return w.truth(pi), true
		}
		if pi, ok := w.aliasPage(oi, path); ok && w.visible(pi) {
			return w.truth(pi), true
		}
	}
	return Page{}, false
}

// Traps lists the faults-mode trap URLs (empty unless Options.Faults).
func (w *Web) Traps() []Trap {
	out := make([]Trap, len(w.traps))
	for i, t := range w.traps {
		out[i] = Trap{URL: w.outlets[t.outlet].base + t.path, Kind: t.kind}
	}
	return out
}

// Stats counts the web's pages.
func (w *Web) Stats() Stats {
	s := Stats{Outlets: len(w.outlets), ByKind: map[string]int{}, ByLang: map[string]int{}, Traps: len(w.traps)}
	multi := map[int32]bool{}
	stories := map[int32]bool{}
	for i := range w.pages {
		if !w.visible(int32(i)) {
			continue
		}
		p := w.pages[i]
		s.Pages++
		stories[p.story] = true
		s.ByKind[kinds[p.kind]]++
		s.ByLang[w.stories[p.story].lang]++
		if p.disallowed {
			s.Disallowed++
		}
		if p.kind == kCopy || p.kind == kUpdate {
			multi[p.story] = true
		}
	}
	s.WireStories = len(multi)
	s.Stories = len(stories)
	return s
}

// StoryID formats a story index as the id used in Page.StoryID.
func storyID(i int32) string { return fmt.Sprintf("s%05d", i) }

func (w *Web) truth(pi int32) Page {
	p := &w.pages[pi]
	st := &w.stories[p.story]
	o := w.outlets[p.outlet]
	title, byline, paras, edits := w.render(pi)
	pg := Page{
		URL:         o.base + p.path,
		StoryID:     storyID(p.story),
		Kind:        kinds[p.kind],
		Outlet:      o.name,
		OutletIndex: int(p.outlet),
		Title:       title,
		Byline:      byline,
		Body:        strings.Join(paras, "\n\n"),
		Published:   p.published,
		Lang:        st.lang,
		Charset:     o.charset,
		Disallowed:  p.disallowed,
	}
	if p.of >= 0 {
		q := &w.pages[p.of]
		pg.Of = w.outlets[q.outlet].base + q.path
	}
	for i, e := range editOrder {
		if edits&(1<<i) != 0 {
			pg.Edits = append(pg.Edits, e)
		}
	}
	if st.related >= 0 {
		pg.Related = storyID(int32(st.related))
	}
	pg.References = w.pageReferences(pi, len(paras))
	pg.House = w.pageHouse(pi)
	pg.Aliases = w.aliases(pi)
	if f := w.faultFor(int(p.outlet), p.path); f.kind != "" {
		pg.Fault, pg.FaultCount = f.kind, f.count
	}
	return pg
}

// SetClock moves the web's clock: pages published after t are no longer
// (or not yet) served, listed or part of Truth, TruthFor, Stats and
// Outlets. It starts at Options.Now, where every page is visible. Moving it
// forward publishes pages: feeds, sitemaps and home pages change (new ETags)
// while older pages keep theirs, as between two crawls of a real site.
func (w *Web) SetClock(t time.Time) { w.clock.Store(t.UnixNano()) }

// Clock is the web's current clock (see SetClock).
func (w *Web) Clock() time.Time { return time.Unix(0, w.clock.Load()).UTC() }

func (w *Web) visible(pi int32) bool {
	return w.pages[pi].published.UnixNano() <= w.clock.Load()
}

// visibleRecent is the outlet's visible pages, newest first: the tail of
// w.recent, which is sorted newest first.
func (w *Web) visibleRecent(oi int) []int32 {
	rs := w.recent[oi]
	c := w.clock.Load()
	k := sort.Search(len(rs), func(i int) bool { return w.pages[rs[i]].published.UnixNano() <= c })
	return rs[k:]
}
