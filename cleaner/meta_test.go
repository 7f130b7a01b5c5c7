package cleaner

import (
	"net/url"
	"testing"
	"time"
)

func TestCleanByline(t *testing.T) {
	tests := map[string]string{
		"By Daniel Bellamy with AP":                                      "By Daniel Bellamy with AP",
		"| BY: Ilana Muhlstein, MS, RDN":                                 "By Ilana Muhlstein, MS, RDN",
		"Detroit News wire services Published 11:11 PM EST Nov 19, 2019": "Detroit News wire services",
		"Charlie Wood, Business Insider 19.11.2019, 08:57":               "Charlie Wood, Business Insider",
		"Carlos Nadalim 27/09/2018":                                      "Carlos Nadalim",
	}
	for in, want := range tests {
		if got := cleanByline(in); got != want {
			t.Errorf("cleanByline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripSiteSuffix(t *testing.T) {
	base, _ := url.Parse("https://www.beachbody.com/blog/x")
	tests := []struct{ title, site, want string }{
		{"How to Tackle Game Day Snack Temptations | The Beachbody Blog", "The Beachbody Blog", "How to Tackle Game Day Snack Temptations"},
		{"Simple Hiking Survival Kit (with Kids) - The Anti-June Cleaver", "The Anti-June Cleaver", "Simple Hiking Survival Kit (with Kids)"},
		{"Trade war - what comes next", "Example", "Trade war - what comes next"},
	}
	for _, tt := range tests {
		if got := stripSiteSuffix(tt.title, tt.site, base); got != tt.want {
			t.Errorf("stripSiteSuffix(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestDateInText(t *testing.T) {
	tests := map[string]time.Time{
		"Published 11:11 PM EST Nov 19, 2019": time.Date(2019, 11, 19, 0, 0, 0, 0, time.UTC),
		"sexta-feira, 19 November 2019":       time.Date(2019, 11, 19, 0, 0, 0, 0, time.UTC),
		"posted 2019-11-19 by staff":          time.Date(2019, 11, 19, 0, 0, 0, 0, time.UTC),
	}
	for in, want := range tests {
		got, ok := dateInText(in)
		if !ok || !got.Equal(want) {
			t.Errorf("dateInText(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := dateInText("no date here"); ok {
		t.Error("found a date in text without one")
	}
}

func TestParseJSONLDGraph(t *testing.T) {
	src := `{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},
	{"@type":["NewsArticle"],"headline":"Head","datePublished":"2020-01-02T03:04:05Z",
	"author":[{"@type":"Person","name":"A One"},{"name":"B Two"}],"publisher":{"name":"Pub"},"inLanguage":"en-US"}]}`
	arts := parseJSONLD(src)
	var a *jsonLDArticle
	for i := range arts {
		if arts[i].isArticle {
			a = &arts[i]
		}
	}
	if a == nil {
		t.Fatalf("no article in %+v", arts)
	}
	if a.headline != "Head" || a.published != "2020-01-02T03:04:05Z" || len(a.authors) != 2 || a.publisher != "Pub" || a.lang != "en-US" {
		t.Errorf("got %+v", *a)
	}
}
