package cleaner

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hostilePages are inputs that have broken HTML tools: deep nesting, giant
// attributes, invalid UTF-8, NUL bytes, unclosed formatting elements.
func hostilePages() map[string][]byte {
	para := "<p>" + strings.Repeat("Real words in a real sentence that goes on. ", 8) + "</p>"
	return map[string][]byte{
		"deep divs":         []byte("<html><body>" + strings.Repeat("<div>", 100000) + para + strings.Repeat("</div>", 100000) + "</body></html>"),
		"deep unclosed":     []byte("<body>" + strings.Repeat("<div><span>", 100000) + para),
		"deep formatting":   []byte("<body>" + strings.Repeat("<b><i>", 50000) + para),
		"deep tables":       []byte(strings.Repeat("<table><tr><td>", 30000) + para),
		"giant attribute":   []byte(`<html><body><div class="` + strings.Repeat("a", 4<<20) + `">` + para + `</div></body></html>`),
		"many attributes":   []byte(`<div ` + strings.Repeat(`data-x="1" `, 200000) + `>` + para + `</div>`),
		"invalid utf-8":     []byte("<html><body><p>caf\xe9 \xff\xfe\xfd na\xc3</p>" + para + "</body></html>"),
		"nul bytes":         []byte("<html>\x00<body>\x00<p>\x00nul\x00 bytes\x00</p>" + para + "\x00</body></html>"),
		"giant text node":   []byte("<p>" + strings.Repeat("word ", 1<<20) + "</p>"),
		"giant json-ld":     []byte(`<script type="application/ld+json">` + strings.Repeat(`[`, 100000) + `</script>` + para),
		"many paragraphs":   []byte(strings.Repeat(para, 5000)),
		"unterminated tag":  []byte("<div class=\"" + strings.Repeat("x", 100000)),
		"comment flood":     []byte(strings.Repeat("<!--", 100000) + para),
		"script in body":    []byte("<body><script>" + strings.Repeat("var a=1;", 100000) + "</script>" + para),
		"utf-16 bom junk":   append([]byte{0xfe, 0xff}, []byte(para)...),
		"meta charset junk": []byte(`<meta charset="x-no-such-charset">` + para),
	}
}

// checkCleanResult asserts what must hold for any input.
func checkCleanResult(t *testing.T, in []byte, text string, paras []string, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrNoContent) && !errors.Is(err, ErrNotHTML) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		return
	}
	if !utf8.ValidString(text) {
		t.Fatalf("text is not valid UTF-8")
	}
	if text != strings.Join(paras, "\n\n") {
		t.Fatalf("text is not its paragraphs joined")
	}
	if strings.ContainsRune(text, 0) {
		t.Fatalf("text holds a NUL byte")
	}
	if len(text) > 4*len(in)+64 {
		t.Fatalf("text (%d bytes) far larger than the input (%d bytes)", len(text), len(in))
	}
}

func TestHostilePages(t *testing.T) {
	c := New(Config{})
	for name, page := range hostilePages() {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			doc, err := c.Clean(page, "https://example.com/x", "")
			checkCleanResult(t, page, doc.Text, doc.Paragraphs, err)
			t.Logf("%d bytes in %v: %d chars of text, err %v", len(page), time.Since(start).Round(time.Millisecond), len(doc.Text), err)
			if strings.HasPrefix(name, "deep") && err == nil && !strings.Contains(doc.Text, "Real words") {
				t.Errorf("deeply nested article text lost: %.100q", doc.Text)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	para := "<p>The council met on Tuesday and voted to keep the library open.</p>"
	page := func(paras int) []byte {
		return []byte("<html><body><article>" + strings.Repeat(para, paras) + "</article></body></html>")
	}
	tests := []struct {
		name    string
		cfg     Config
		body    []byte
		tooMany bool
	}{
		{"bytes over max_bytes", Config{MaxBytes: 1000}, page(20), true},
		{"bytes within max_bytes", Config{MaxBytes: 2000}, page(20), false},
		// 20 paragraphs plus html, head, body and article: 24 elements.
		{"elements over max_elements", Config{MaxElements: 23}, page(20), true},
		{"elements within max_elements", Config{MaxElements: 24}, page(20), false},
		// The default refuses 150,000 list items (about 3 s to extract)
		// after parsing them.
		{"default max_elements", Config{}, []byte("<html><body><ul>" + strings.Repeat("<li>item words</li>", 150_000) + "</ul></body></html>"), true},
		{"just under max_elements, large page", Config{MaxElements: 30_000},
			[]byte("<html><body><article>" + strings.Repeat(para, 20) + strings.Repeat("<b>"+strings.Repeat("x", 40)+"</b>", 29_970) + "</article></body></html>"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := New(tt.cfg).Clean(tt.body, "https://example.com/a", "text/html")
			if tt.tooMany && len(tt.body) > countTagsAbove && err != nil && !strings.Contains(err.Error(), "elements") {
				t.Fatalf("err = %v, want a refusal for the element count", err)
			}
			if got := errors.Is(err, ErrTooLarge); got != tt.tooMany {
				t.Fatalf("err = %v, want ErrTooLarge: %v", err, tt.tooMany)
			}
			if !tt.tooMany && (err != nil || !strings.Contains(doc.Text, "keep the library open")) {
				t.Fatalf("err = %v, text = %.80q", err, doc.Text)
			}
		})
	}
}

// TestElementFloodRefusedBeforeParsing: a page of 7 MiB of empty elements
// (about a million) is refused for its element count without building its
// tree, which would take over 200 MiB.
func TestElementFloodRefusedBeforeParsing(t *testing.T) {
	body := []byte("<html><body><article><p>" + strings.Repeat("A story in a flood. ", 20) + "</p>" +
		strings.Repeat("<b></b>", 1_050_000) + "</article></body></html>")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := New(Config{}).Clean(body, "https://example.com/flood", "text/html")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("refusing a %d MiB flood allocated %d MiB", len(body)>>20, alloc>>20)
	}
}

// FuzzClean checks that no input panics, hangs or breaks the output
// invariants. Run it with minimization off, since minimizing a large
// interesting input can exceed the fuzz worker's 10 s limit (Go issue 52569):
//
//	go test ./cleaner -run XXX -fuzz FuzzClean -fuzztime 60s -fuzzminimizetime 0
func FuzzClean(f *testing.F) {
	for _, page := range hostilePages() {
		if len(page) < 1<<20 {
			f.Add(page, "")
		}
	}
	for _, name := range []string{"seed_article", "captions", "related", "cookie_banner", "byline", "windows1252", "no_article_login"} {
		if b, err := readTestdata(name + ".html"); err == nil {
			f.Add(b, "text/html")
		}
	}
	f.Add([]byte("<html><body><p>short</p></body></html>"), "text/html; charset=utf-16")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), "image/png")
	f.Add([]byte(""), "")
	c := New(Config{MaxBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		doc, err := c.Clean(body, "https://example.com/a", contentType)
		checkCleanResult(t, body, doc.Text, doc.Paragraphs, err)
	})
}

func TestTextIsComposedAndClean(t *testing.T) {
	sent := "Le cafe\u0301 du port a rouvert ses portes samedi apre\u0300s dix-huit mois de travaux.\x07 "
	page := "<html><head><title>Cafe\u0301</title></head><body><article><p>" + strings.Repeat(sent, 4) + "</p></article></body></html>"
	doc, err := New(Config{}).Clean([]byte(page), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "café du port") || strings.Contains(doc.Text, "e\u0301") || strings.ContainsRune(doc.Text, '\x07') {
		t.Errorf("text not NFC or holds control characters: %q", doc.Text)
	}
	if doc.Title != "Café" {
		t.Errorf("Title = %q, want composed %q", doc.Title, "Café")
	}
}

func TestArticleHiddenBehindModal(t *testing.T) {
	sent := "The museum reopened on Saturday after two years of restoration work on its roof and galleries. "
	page := `<html><body><div class="consent-modal" role="dialog"><p>Accept cookies to continue.</p></div>
<div id="page"><article aria-hidden="true" style="display:none"><h1>Museum reopens</h1><p>` + strings.Repeat(sent, 3) + `</p><p>` + strings.Repeat(sent, 2) + `</p></article></div></body></html>`
	doc, err := New(Config{}).Clean([]byte(page), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "The museum reopened") || strings.Contains(doc.Text, "cookies") {
		t.Errorf("text = %q", doc.Text)
	}
}
