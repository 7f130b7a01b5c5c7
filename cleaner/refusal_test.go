package cleaner

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

// story is a short real news item: three sentences, about 60 words.
const story = `<p>City officials said on Tuesday that the bridge over the river will close for repairs next month, the first full closure since it opened in 1962.</p>
<p>Traffic will be diverted through the north crossing, adding about ten minutes to most trips, the transport department said.</p>
<p>Work is expected to last six weeks, weather permitting.</p>`

// TestWrapperNamesDoNotPruneTheArticle: a class or id word that also names
// furniture ("byline", "author", "widget", "caption", "print") on the
// element that wraps the whole story must not take the story with it, while
// the same word on a real byline or caption still prunes it.
func TestWrapperNamesDoNotPruneTheArticle(t *testing.T) {
	side := `<div class="sidebar"><h3>Archives</h3><ul>` + strings.Repeat(`<li><a href="/a">July 2012 (12)</a></li>`, 12) + `</ul>
<div class="about"><p>I live in a small town and write about local news, gardening and the weather, mostly on weekends.</p>
<p>Before that I taught school for twenty years, which is where most of my opinions about bridges come from.</p></div></div>`
	comments := `<ol class="commentlist">` + strings.Repeat(`<li class="comment"><p>Thanks for writing this up, I drive over that bridge every day and had no idea the work would take so long, or that the north crossing would take all of the traffic.</p></li>`, 5) + `</ol>`
	for _, wrapper := range []string{
		`<div id="content_byline">`, `<div class="entry-author-jane post">`, `<div class="widget Blog" id="Blog1">`,
		`<div class="caption-image">`, `<div id="printReady">`, `<div class="post tag-sharing category-promo">`,
	} {
		t.Run(wrapper, func(t *testing.T) {
			page := `<html><head><title>Bridge to close</title></head><body>` + side + wrapper +
				`<h2>Bridge to close for repairs</h2><div class="byline">By Jane Doe</div>` + story +
				`<div class="caption">Photo: the bridge at dusk. Credit: John Roe</div></div>` + comments + `</body></html>`
			doc, ex, err := New(Config{}).Explain([]byte(page), "https://news.example/bridge", "text/html")
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			for _, want := range []string{"bridge over the river", "north crossing", "six weeks"} {
				if !strings.Contains(doc.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, doc.Text)
				}
			}
			for _, bad := range []string{"By Jane Doe", "Credit: John Roe", "July 2012", "gardening", "Thanks for writing"} {
				if strings.Contains(doc.Text, bad) {
					t.Errorf("text keeps %q:\n%s", bad, doc.Text)
				}
			}
			pruned := false
			for _, p := range ex.Pruned {
				if strings.HasPrefix(p.Element, "div.byline") && p.Rule == "name byline" {
					pruned = true
				}
			}
			if !pruned {
				t.Errorf("the byline div was not reported as pruned by its name: %+v", ex.Pruned)
			}
		})
	}
}

// TestRefusalNeedsEvidence: a password box in the site header above a short
// real story is not a login wall, and a short brief is an article; a page
// that asks to sign in, and a page with only a label, are still refused.
func TestRefusalNeedsEvidence(t *testing.T) {
	header := `<div class="top"><form action="/login"><input name="u"><input type="password" name="p"><button>Log in</button></form></div>`
	brief := `<p>The city council approved the new budget on Monday by a vote of seven to two after a long debate.</p>`
	cases := []struct {
		name, body string
		ok         bool
	}{
		{"story under a header login box", header + `<article><h1>Bridge to close</h1>` + story + `</article>`, true},
		{"one-sentence brief", `<article><h1>Budget passes</h1>` + brief + `</article>`, true},
		{"login wall", `<main><h1>Sign in to continue reading</h1><p>This article is for subscribers only.</p>
<form><input type="password" name="p"></form><p><a href="/subscribe">Subscribe now</a> for unlimited access.</p></main>`, false},
		{"label only", `<main><p>Post a comment</p></main>`, false},
		{"empty template", `<main><div class="cookie-banner"><p>We use cookies to improve your experience. By using this site you accept our cookie policy.</p></div></main>`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := `<html><head><title>x</title></head><body>` + tc.body + `</body></html>`
			doc, err := New(Config{}).Clean([]byte(page), "", "text/html")
			switch {
			case tc.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tc.ok && err == nil:
				t.Fatalf("accepted %q", doc.Text)
			case !tc.ok && !errors.Is(err, ErrNoContent):
				t.Fatalf("error %v, want ErrNoContent", err)
			}
		})
	}
}

// TestBodilessPostIsItsHeadline: a photo post (a headline, a dateline and
// an image) is an article whose text is its headline and dateline; the same
// page without a date, and a page with only links, are still refused.
func TestBodilessPostIsItsHeadline(t *testing.T) {
	side := `<div class="sidebar"><ul>` + strings.Repeat(`<li><a href="/a">Archive page</a></li>`, 8) + `</ul></div>`
	cases := []struct {
		name, title, head, body string
		want                    []string // nil: refused
	}{
		{"photo post with a dateline", "Almost there", ``, `<div id="post"><h2>Almost there</h2><div class="date">Posted 28 May 2010 by Lim</div>
<p><img src="/cover.jpg"></p></div>`, []string{"Almost there", "28 May 2010"}},
		{"video post dated in its metadata", "The greatest pizza commercial", `<meta property="article:published_time" content="2012-11-12T10:00:00Z">`,
			`<div class="post"><h1>The greatest pizza commercial</h1><p>Wow… just wow.</p><p><iframe src="/v"></iframe></p></div>`,
			[]string{"The greatest pizza commercial", "Wow… just wow."}},
		{"undated image page", "Almost there", ``, `<div id="post"><h2>Almost there</h2><p><img src="/cover.jpg"></p></div>`, nil},
		// The date line is pruned by its name ("meta") and the content
		// search picks the sidebar: the page's own heading, named by its
		// <title>, and the dated line beside it are the post.
		{"one-word headline, date line named meta", "Nook", ``, `<div class="post"><div class="headline_area"><h1>Nook</h1>
<p class="headline_meta">by Paulo Coelho on July 21, 2012</p></div><div class="entry"><p><a href="/n"><img src="/n.jpg"></a></p>
<table><tr><td>Portugues</td><td>Espanol</td></tr></table></div></div>`, []string{"Nook", "by Paulo Coelho on July 21, 2012"}},
		{"gallery page, its date before its headline", "Day in pictures: 24 July", ``, `<div class="gallery-page"><span class="story-date"><span>24 July 2012</span>
<span>Last updated at 07:12 ET</span></span><h1>Day in pictures: 24 July</h1><ul><li><img src="/1.jpg"></li></ul></div>`,
			[]string{"24 July 2012 Last updated at 07:12 ET", "Day in pictures: 24 July"}},
		// A listing: its title heads a list of other posts' headlines,
		// and the dates belong to them.
		{"listing under its title", "News", ``, `<div class="archive"><h1>News</h1><h2><a href="/1">Council approves budget</a></h2>
<p class="meta">Posted July 21, 2012</p><h2><a href="/2">Bridge to close</a></h2><p class="meta">Posted July 20, 2012</p></div>`, nil},
		{"page of links", "Stories from the archive", `<meta property="article:published_time" content="2012-11-12T10:00:00Z">`,
			`<ul>` + strings.Repeat(`<li><a href="/x">Another story on this site</a></li>`, 10) + `</ul>`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := `<html><head><title>` + tc.title + ` - A Blog</title>` + tc.head + `</head><body>` + side + tc.body + `</body></html>`
			doc, ex, err := New(Config{}).Explain([]byte(page), "https://blog.example/p", "text/html")
			if tc.want == nil {
				if !errors.Is(err, ErrNoContent) {
					t.Fatalf("error %v, want ErrNoContent (text %q)", err, doc.Text)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(doc.Text, w) {
					t.Errorf("text %q lacks %q", doc.Text, w)
				}
			}
			if strings.Contains(doc.Text, "Archive page") {
				t.Errorf("text keeps the sidebar: %q", doc.Text)
			}
			if !strings.Contains(ex.Source, "headline and dateline") {
				t.Errorf("explanation source %q does not say the text is the post's frame", ex.Source)
			}
		})
	}
}

// TestPostClassKeepsAShortPost: a short post whose element also carries a
// furniture word ("author-jane") is kept when a whole class name says it is
// the post ("post", "hentry"), though comments outweigh it.
func TestPostClassKeepsAShortPost(t *testing.T) {
	comments := `<ol class="commentlist">` + strings.Repeat(`<li class="comment"><p>Love this look, the shoes and the bag are perfect, where did you find the vintage tie and the shirt?</p></li>`, 8) + `</ol>`
	post := `<p>I am totally inspired by this collection, my all time favorite. The shirt and tie are vintage, the jeans are new.</p>`
	for _, wrapper := range []string{`<div id="post-3292" class="hentry post publish author-jane">`, `<div class="author-jane post">`} {
		page := `<html><head><title>In St. Germain</title></head><body><h1>In St. Germain</h1>` + wrapper + post + `</div>` + comments + `</body></html>`
		doc, err := New(Config{}).Clean([]byte(page), "", "text/html")
		if err != nil {
			t.Fatalf("%s: refused: %v", wrapper, err)
		}
		if !strings.Contains(doc.Text, "totally inspired") || strings.Contains(doc.Text, "Love this look") {
			t.Errorf("%s: text %q", wrapper, doc.Text)
		}
	}
}

// TestSecondCopyDropped: a page that carries a short article twice (a print
// copy under the screen one) gives it once; a refrain that repeats one
// paragraph of a longer text stays.
func TestSecondCopyDropped(t *testing.T) {
	a := `<p>Treasury Secretary Timothy Geithner on Monday warned German leaders against leaving Europe teetering on the edge.</p>`
	b := `<p>"If you leave Europe on the edge of the abyss as your source of leverage, your strategy is unlikely to work," he said.</p>`
	page := `<html><body><div class="story">` + a + b + `</div><div class="printcopy">` + a + b + `</div></body></html>`
	doc, err := New(Config{}).Clean([]byte(page), "", "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(doc.Text, "Treasury Secretary"); n != 1 {
		t.Errorf("the article appears %d times:\n%s", n, doc.Text)
	}
	if !strings.Contains(doc.Text, "abyss") {
		t.Errorf("the second paragraph is gone:\n%s", doc.Text)
	}
}

// TestBlogEngineLinesDropped: the lines blog engines print under a post
// (WordPress's "This entry was posted in", the comment form's help, a
// TypePad trackback list, post navigation) are not the article.
func TestBlogEngineLinesDropped(t *testing.T) {
	var lines []string
	for _, l := range []string{
		"This entry was posted on Saturday, August 25th, 2012 at 12:23 am and is filed under Neat Stuff. You can follow any responses to this entry through the RSS 2.0 feed.",
		"You may use these HTML tags and attributes: <a href=\"\" title=\"\"> <abbr title=\"\">",
		"Listed below are links to weblogs that reference Yesterday's over:",
		"TrackBack URL for this entry:",
		"Posted in Carnivals, Current Events | No Comments »",
		"Leave a Reply",
		"Previous Article",
		"· Quickies · 7 Comments · October 29th, 2012",
		"As a final step before posting your comment, enter the letters and numbers you see in the image below.",
		"Sign-up to the Daily Tips newsletter and you will be able to download the e-book for free.",
	} {
		lines = append(lines, "<p>"+html.EscapeString(l)+"</p>")
	}
	page := `<html><body><article>` + story + strings.Join(lines, "") + `</article></body></html>`
	doc, err := New(Config{}).Clean([]byte(page), "", "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "six weeks") {
		t.Errorf("the story is gone:\n%s", doc.Text)
	}
	for _, bad := range []string{"This entry", "HTML tags", "weblogs", "TrackBack", "Carnivals", "Leave a Reply", "Previous Article", "Quickies", "final step", "newsletter"} {
		if strings.Contains(doc.Text, bad) {
			t.Errorf("text keeps %q:\n%s", bad, doc.Text)
		}
	}
}

// TestPostElementHoldsAShortPost: the fallback for a post with one line
// under a photo reads the element the page marks as the post (a whole class
// "post", an id "post-123", <article>), found by the headline it holds, and
// nothing when no such element holds the headline.
func TestPostElementHoldsAShortPost(t *testing.T) {
	comments := `<ol class="commentlist">` + strings.Repeat(`<li><p>Congratulations, what a beautiful little baby, and welcome to the world, little one.</p></li>`, 12) + `</ol>`
	page := func(post string) string {
		return `<html><head><title>Study Hacks » Blog Archive » My New Project</title></head><body>
<div id="header"><h1><a href="/">Study Hacks</a></h1><div class="description">Decoding Patterns of Success</div></div>
<div id="content">` + post + comments + `</div></body></html>`
	}
	body := `<h2><a href="/p">My New Project</a></h2><div class="post-content"><p><img src="/max.jpg"></p>
<p>Max Jacob Newport. Born 11/6/12. Future Study Hacker…</p></div>`
	for _, tc := range []struct {
		name, post, want string
	}{
		{"class post", `<div class="post" id="p1">` + body + `</div>`, "Max Jacob Newport. Born 11/6/12. Future Study Hacker…"},
		{"id post-2567", `<div id="post-2567">` + body + `</div>`, "Max Jacob Newport. Born 11/6/12. Future Study Hacker…"},
		{"article", `<article>` + body + `</article>`, "Max Jacob Newport. Born 11/6/12. Future Study Hacker…"},
		{"no post element", `<div class="box">` + body + `</div>`, ""},
		{"another post's headline", `<div class="post"><h2>Older post</h2><p>Something else entirely, from last week.</p></div>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(page(tc.post))
			root, err := parseHTML(src)
			if err != nil {
				t.Fatal(err)
			}
			meta := extractMeta(root, nil)
			got := strings.Join(assemble(postText(src, "", &meta)), "|")
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestStrayFromShortPost: under a short post that the page marks as its
// post (class "post hentry", holding the page's headline), a sidebar of
// event notices with more commas and words wins readability's scoring; the
// marked post is the article. A header-only <article> (headline and
// standfirst) beside a long body is not taken for the post.
func TestStrayFromShortPost(t *testing.T) {
	var events strings.Builder
	events.WriteString(`<div class="box"><h3>Upcoming events</h3>`)
	for i := range 5 {
		fmt.Fprintf(&events, `<div style="border:1px dotted black"><h4>Session %d</h4>Monday, November %d<br>In London, Paris, Berlin, Madrid, Rome, and Dublin, with %d talks, demos, panels, case studies, and labs, for engineers, architects, managers, and students.<br><a href="/r">Register</a></div>`, i, i+1, 10+i)
	}
	events.WriteString(`</div>`)
	post := `<div class="post hentry"><h2>Provisioned storage, explained</h2><div class="entry">
<p>For this episode of our weekly show, I interviewed the principal engineer on the database team about provisioned storage.</p>
<p>He explained how the new option gives steady performance for busy databases and when it is worth paying for it.</p>
<p>We also talked about backups and what the team plans to ship next year.</p></div></div>`
	page := `<html><head><title>Provisioned storage, explained - The Report</title></head><body><div id="wrap"><div id="col-a"><div class="inner">` +
		post + `</div></div><div id="col-b"><div class="inner">` + events.String() + `</div></div></div></body></html>`
	doc, ex, err := New(Config{}).Explain([]byte(page), "https://blog.example/p", "text/html")
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if !strings.Contains(doc.Text, "principal engineer") || !strings.Contains(doc.Text, "steady performance") || strings.Contains(doc.Text, "case studies") {
		t.Errorf("text %q (source %s)", doc.Text, ex.Source)
	}
	if !strings.HasPrefix(ex.Source, "post element") {
		t.Errorf("source %q does not name the post element", ex.Source)
	}

	var body strings.Builder
	for i := range 12 {
		fmt.Fprintf(&body, `<p>Item %d: the council voted on Monday to close the bridge for repairs, the first closure since it opened in 1962, and to send traffic north.</p>`, i)
	}
	long := `<html><head><title>Bridge to close for repairs - City News</title></head><body>
<article><h1>Bridge to close for repairs</h1><p>The city's oldest crossing will shut for six weeks next month while crews replace its deck, officials said, and drivers should expect delays on the north crossing.</p></article>
<div class="story-text">` + body.String() + `</div></body></html>`
	doc, err = New(Config{}).Clean([]byte(long), "", "text/html")
	if err != nil {
		t.Fatalf("long story refused: %v", err)
	}
	if strings.Count(doc.Text, "first closure") < 10 {
		t.Errorf("the body beside a header-only <article> was lost: %q", doc.Text)
	}
}

// TestStrayPostSwollen: when the content search returns the marked post
// together with more than as much again of other text (a wrapper holding
// the post and the sidebars), the post is the article; when it returns the
// post alone, or a post too short to be a whole story, its result stands.
func TestStrayPostSwollen(t *testing.T) {
	var post, side strings.Builder
	for i := range 4 {
		fmt.Fprintf(&post, `<p>Paragraph %d of the answer: the camera adapter fits the smaller memory cards, and a reader can copy photos to the tablet without a computer.</p>`, i)
	}
	for i := range 12 {
		fmt.Fprintf(&side, `<p>Recent post %d: a short summary of another answer about phones, passwords and browsers, from the same blog.</p>`, i)
	}
	page := `<html><head><title>Q&amp;A: Photos from Camera to iPad - The Times</title></head><body><div id="shell">
<div class="post entry" id="entry-62741"><h1>Q&amp;A: Photos from Camera to iPad</h1>` + post.String() + `</div>
<div id="recent">` + side.String() + `</div></div></body></html>`
	root, err := parseHTML([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	meta := extractMeta(root, nil)
	prune(root, nil)
	shell := findBody(root).FirstChild
	for shell != nil && shell.Type != xhtml.ElementNode {
		shell = shell.NextSibling
	}
	result := func(n *xhtml.Node) []block {
		b := renderBlocks(n)
		filterBlocks(b, &meta)
		return b
	}
	got := strayPost(root, "", &meta, result(shell))
	text := strings.Join(assemble(got), "\n")
	if !strings.Contains(text, "Paragraph 3 of the answer") || strings.Contains(text, "Recent post") {
		t.Errorf("swollen result: got %q", text)
	}
	if got := strayPost(root, "", &meta, result(findPost(root, &meta))); got != nil {
		t.Errorf("the post itself was replaced: %q", assemble(got))
	}
}

// TestStrayFromTinyPost: beside a post of one line under its video, the
// content search can prefer the site's "about" box (on the page it took
// that box alone); the marked post is the article. A header-only <article>
// (a headline and a standfirst in its <header>) beside a brief's body is
// not taken for the post.
func TestStrayFromTinyPost(t *testing.T) {
	about := `<div class="about"><p>Neato is the neat side of the web. We bring you the neatest, weirdest, and most wonderful stuff, from art, science, and design, to food, toys, and gadgets.</p>
<p>We post every day, since 2005, from Seattle, Portland, and Boise, with writers, editors, and friends, old and new.</p></div>`
	post := `<article class="post" id="post-50995"><h1>Ball</h1><p><a href="https://vimeo.example/1">(video)</a></p>
<p>Sports balls, disco balls, meatballs, they are all here in this short film. No plot, just a treat for your eyes.</p></article>`
	page := `<html><head><title>Ball - Neato</title></head><body><div id="main">` + post + `</div><div id="bottom">` + about + `</div></body></html>`
	root, err := parseHTML([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	meta := extractMeta(root, nil)
	prune(root, nil)
	var box *xhtml.Node
	walk(root, func(n *xhtml.Node) bool {
		if n.Type == xhtml.ElementNode && attr(n, "class") == "about" {
			box = n
		}
		return box == nil
	})
	took := renderBlocks(box)
	filterBlocks(took, &meta)
	text := strings.Join(assemble(strayPost(root, "", &meta, took)), "\n")
	if !strings.Contains(text, "disco balls") || strings.Contains(text, "neatest") {
		t.Errorf("the about box stands, or the post is not the text: %q", text)
	}

	brief := `<html><head><title>Budget passes - City News</title></head><body>
<article><header><h1>Budget passes</h1><p class="standfirst">Hours of argument end with backing for Lee's leaner blueprint.</p></header></article>
<div class="story-text"><p>The city council approved the new budget on Monday by a vote of seven to two, after a debate that lasted until midnight.</p>
<p>The plan cuts spending on roads by four percent and adds two libraries, the mayor said, and it takes effect in January.</p></div></body></html>`
	doc, err := New(Config{}).Clean([]byte(brief), "", "text/html")
	if err != nil {
		t.Fatalf("brief refused: %v", err)
	}
	if !strings.Contains(doc.Text, "seven to two") || !strings.Contains(doc.Text, "two libraries") {
		t.Errorf("the brief's body beside a header-only <article> was lost: %q", doc.Text)
	}
	// The same decision when the content search takes the body alone.
	root, err = parseHTML([]byte(brief))
	if err != nil {
		t.Fatal(err)
	}
	meta = extractMeta(root, nil)
	prune(root, nil)
	var body *xhtml.Node
	walk(root, func(n *xhtml.Node) bool {
		if n.Type == xhtml.ElementNode && attr(n, "class") == "story-text" {
			body = n
		}
		return body == nil
	})
	took = renderBlocks(body)
	filterBlocks(took, &meta)
	if got := strayPost(root, "", &meta, took); got != nil {
		t.Errorf("the header-only <article> replaced the brief's body: %q", assemble(got))
	}
}

// TestPhotoStoryKeepsItsCaptions: a photo post told in its captions (they
// hold 30% or more of the page's reading text) keeps them; a story with
// one caption under a photo drops it.
func TestPhotoStoryKeepsItsCaptions(t *testing.T) {
	var photos strings.Builder
	for i := range 8 {
		fmt.Fprintf(&photos, `<div class="wp-caption aligncenter"><img src="/%d.jpg"><p class="wp-caption-text">Photo %d: costumed revellers crowd the harbour front as the parade passes the old ferry pier at dusk.</p></div>`, i, i)
	}
	page := `<html><head><title>Halloween in the harbour - Blog</title></head><body><div class="post"><h1>Halloween in the harbour</h1>
<p>The harbour turned out in force for the parade this year, and the costumes were better than ever.</p>` + photos.String() + `</div></body></html>`
	doc, err := New(Config{}).Clean([]byte(page), "", "text/html")
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if !strings.Contains(doc.Text, "Photo 7: costumed revellers") {
		t.Errorf("the captions that tell the story were dropped: %q", doc.Text)
	}
	story := `<html><head><title>Bridge to close - City News</title></head><body><article><h1>Bridge to close</h1>` + story +
		`<div class="wp-caption"><img src="/b.jpg"><p class="wp-caption-text">The bridge at dusk, seen from the north bank of the river.</p></div></article></body></html>`
	doc, err = New(Config{}).Clean([]byte(story), "", "text/html")
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if strings.Contains(doc.Text, "seen from the north bank") || !strings.Contains(doc.Text, "six weeks") {
		t.Errorf("one caption under a story: %q", doc.Text)
	}
}
