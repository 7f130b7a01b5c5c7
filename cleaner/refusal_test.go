package cleaner

import (
	"errors"
	"strings"
	"testing"
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
