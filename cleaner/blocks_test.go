package cleaner

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRenderBlocksKeepsWordsApart(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"block elements", `<div>one</div><div>two</div><p>three</p>four`, []string{"one", "two", "three", "four"}},
		{"br is a line", `<p>first line<br>second line</p>`, []string{"first line", "second line"}},
		{"double br is a paragraph", `<div>para one<br><br>para two</div>`, []string{"para one", "para two"}},
		{"adjacent buttons", `<p><span>Share this article</span><span>Comments</span></p>`, []string{"Share this article Comments"}},
		{"adjacent links", `<p><a href="/a">Copy to clipboard</a><a href="/b">Copied</a></p>`, []string{"Copy to clipboard Copied"}},
		{"table cells", `<table><tr><td>1</td><td>Kyle</td><td>5040</td></tr><tr><td>2</td><td>Martin</td></tr></table>`, []string{"1 Kyle 5040", "2 Martin"}},
		{"inline markup inside a word stays joined", `<p>un<b>believ</b>able and <i>iPhone</i>s</p>`, []string{"unbelievable and iPhones"}},
		{"white space collapses", "<p>  lots \n\t of   space </p>", []string{"lots of space"}},
		{"nbsp", "<p>a&nbsp;b</p>", []string{"a b"}},
		{"image between words", `<p>before<img src="x.jpg">after</p>`, []string{"before after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			blocks := renderBlocks(doc)
			paras := assemble(blocks)
			var got []string
			for _, p := range paras {
				got = append(got, strings.Split(p, "\n")...)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeCharsets(t *testing.T) {
	latin1 := []byte("<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p></body></html>")
	utf16 := append([]byte{0xff, 0xfe}, []byte("<\x00p\x00>\x00\xe9\x00<\x00/\x00p\x00>\x00")...)
	tests := []struct {
		name, ct string
		in       []byte
		want     string
	}{
		{"meta", "", latin1, "café"},
		{"header beats meta", "text/html; charset=utf-8", []byte("<p>caf\xc3\xa9</p><meta charset=\"iso-8859-1\">"), "café"},
		{"header", "text/html; charset=windows-1252", []byte("<p>\x93quoted\x94</p>"), "“quoted”"},
		{"bom", "", utf16, "é"},
		{"utf-8 without declaration", "", []byte("<p>na\xc3\xafve</p>"), "naïve"},
		{"late meta in a long head", "", append(append([]byte("<html><head><script>"), []byte(strings.Repeat("x", 3000))...), []byte("</script><meta charset=\"windows-1252\"></head><body>\x80</body></html>")...), "€"},
		// A legacy header on a body that is valid UTF-8 with multi-byte
		// sequences: the author's UTF-8, not the header's mojibake ("cafÃ©").
		{"legacy header on a utf-8 body", "text/html; charset=windows-1252", []byte("<meta charset=\"utf-8\"><p>caf\xc3\xa9 \xe2\x82\xac4</p>"), "café €4"},
		{"latin-1 header on a utf-8 body", "text/html; charset=iso-8859-1", []byte("<p>na\xc3\xafve</p>"), "naïve"},
		{"legacy header, legacy body", "text/html; charset=windows-1252", []byte("<meta charset=\"utf-8\"><p>caf\xe9</p>"), "café"},
		{"unknown label", "text/html; charset=x-bogus", []byte("<p>caf\xc3\xa9</p>"), "café"},
		{"unknown label, legacy body", "text/html; charset=x-bogus", []byte("<p>caf\xe9</p>"), "café"},
		{"bom beats a legacy header", "text/html; charset=windows-1252", utf16, "é"},
		// A utf-8 header on a legacy body with no valid multi-byte
		// sequence: the letters, not a U+FFFD for each.
		{"utf-8 header on a windows-1252 body", "text/html; charset=utf-8", []byte("<p>caf\xe9 \x80 4, \x93quoted\x94</p>"), "café € 4, “quoted”"},
		{"utf-8 header on a legacy body with a late meta", "text/html; charset=utf-8",
			append([]byte("<!--"+strings.Repeat("x", 2000)+"--><meta charset=\"windows-1250\">"), []byte("<p>\xa3\xf3d\x9f</p>")...), "Łódź"},
		{"utf-8 header, utf-8 body with a stray byte", "text/html; charset=utf-8", []byte("<p>caf\xc3\xa9 na\xefve</p>"), "café"},
		// A utf-16 label on a body with no NUL byte (so not UTF-16) and no BOM.
		{"utf-16 header on a utf-8 body", "text/html; charset=utf-16", []byte("<p>caf\xc3\xa9 \xe2\x82\xac4</p>"), "café €4"},
		{"utf-16 header on a windows-1252 body", "text/html; charset=UTF-16LE", []byte("<p>caf\xe9</p>"), "café"},
		{"utf-16be header, utf-16be body without bom", "text/html; charset=utf-16be", []byte("\x00<\x00p\x00>\x00\xe9\x00<\x00/\x00p\x00>"), "é"},
		// A <meta charset=utf-8> on a windows-1252 body (a UTF-8 template
		// around text from a latin-1 database): the letters, not U+FFFD.
		{"utf-8 meta on a windows-1252 body", "text/html", []byte("<meta charset=\"utf-8\"><p>caf\xe9 \x93quoted\x94</p>"), "café “quoted”"},
		{"utf-8 meta, utf-8 body with a stray byte", "", []byte("<meta charset=\"utf-8\"><p>caf\xc3\xa9 \xc3\xa0 na\xefve</p>"), "café à"},
		// A <meta> in a comment declares nothing.
		{"commented-out meta", "text/html", []byte("<!-- <meta charset=\"koi8-r\"> --><meta charset=\"windows-1252\"><p>caf\xe9</p>"), "café"},
		{"commented-out meta past the prescan", "text/html",
			[]byte("<!--" + strings.Repeat(" ", 2000) + "<meta charset=\"koi8-r\"> --><meta charset=\"windows-1252\"><p>caf\xe9</p>"), "café"},
		// The XML declaration of an XHTML page, when nothing else declares a charset.
		{"xml declaration", "application/xhtml+xml", []byte("<?xml version=\"1.0\" encoding=\"windows-1250\"?>\n<html><p>\xa3\xf3d\x9f</p></html>"), "Łódź"},
		{"header beats xml declaration", "application/xhtml+xml; charset=iso-8859-2", []byte("<?xml version='1.0' encoding='windows-1252'?><p>\xa3\xf3d\xbc</p>"), "Łódź"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := decode(tt.in, tt.ct)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("decoded %q, want it to contain %q", out, tt.want)
			}
		})
	}
}

func TestDensestText(t *testing.T) {
	sent := "The committee met on Tuesday to discuss the new budget, and members agreed to delay the vote. "
	page := `<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="wrap"><div class="col"><h1>Budget vote delayed</h1>
<div class="txt"><p>` + strings.Repeat(sent, 3) + `</p><p>` + strings.Repeat(sent, 2) + `</p><p>Read more: <a href="/x">Other story</a></p></div></div>
<div class="side"><p>Short side note.</p></div></div>
<footer><p>Copyright 2019 Example</p></footer></body></html>`
	m := pageMeta{titles: []string{"Budget vote delayed"}}
	got := assemble(densestText([]byte(page), "news.example", &m))
	want := []string{strings.TrimSpace(strings.Repeat(sent, 3)), strings.TrimSpace(strings.Repeat(sent, 2))}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestCommentThreadDropped: reader comments that the content search takes
// with the article (a template that does not name them) go, from the first
// comment on, when three or more carry a comment signature; a story that
// quotes one "Posted by:" line keeps all its text.
func TestCommentThreadDropped(t *testing.T) {
	article := `<h2>Micromorts</h2><p>Here's a great concept: a micromort, a one-in-a-million chance of death, is a unit of risk.</p>
<p>There's a related term, microlife, for things that reduce your lifespan by thirty minutes.</p>
<p class="posted">Posted on November 8, 2012 at 6:57 AM</p>`
	var comments strings.Builder
	for i, c := range []string{"Not to be confused with a micro-ort, a scrap of food on your plate.", "For the most precision it would be best to measure years of life lost.", "So if one is a chance of one in a million, keep in mind the base rates.", "I really doubt you could calculate how much longer he would have lived."} {
		fmt.Fprintf(&comments, `<p>%s</p><p class="sig">Posted by: reader%d at November 8, 2012 7:%02d AM</p>`, c, i, 10+i)
	}
	page := `<html><body><div id="main">` + article + comments.String() + `</div></body></html>`
	doc, err := New(Config{}).Clean([]byte(page), "", "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "micromort, a one-in-a-million") || !strings.Contains(doc.Text, "microlife") {
		t.Errorf("article lost:\n%s", doc.Text)
	}
	for _, bad := range []string{"micro-ort", "years of life", "base rates", "much longer", "reader"} {
		if strings.Contains(doc.Text, bad) {
			t.Errorf("text keeps the comment %q:\n%s", bad, doc.Text)
		}
	}

	quote := `<html><body><article><p>The forum post that started it was short and, to most readers, harmless at first sight.</p>
<p>Posted by: admin at 9:00 AM</p><p>Within an hour it had hundreds of replies, and by the evening the site was down for the night.</p></article></body></html>`
	doc, err = New(Config{}).Clean([]byte(quote), "", "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "hundreds of replies") {
		t.Errorf("one signature line cut the story:\n%s", doc.Text)
	}
}

// TestAuthorBoxDropped: an author box after the article (under an "About
// the author" label, or a box of its own that opens "Name is a writer...")
// is not the article; a closing paragraph about the story's subject stays.
func TestAuthorBoxDropped(t *testing.T) {
	story := `<div class="entry"><p>On October 29, 1863, the International Red Cross was formed, and the anniversary is marked today.</p>
<p>Supersonic is an ultra-fast query engine library written in C++, and it was released as open source today.</p></div>`
	for _, box := range []string{
		`<div class="about"><h4>About the author</h4><p>Mary Brock is a scientist who works on drugs you've hopefully never heard of. She enjoys cooking.</p></div>`,
		`<div class="bio"><p>Annie Downs is a freelance writer in Nashville, Tennessee, and the author of two books.</p></div>`,
	} {
		page := `<html><body><article>` + story + box + `</article></body></html>`
		doc, err := New(Config{}).Clean([]byte(page), "", "text/html")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(doc.Text, "Red Cross") || !strings.Contains(doc.Text, "Supersonic is an") {
			t.Errorf("article lost:\n%s", doc.Text)
		}
		for _, bad := range []string{"About the author", "is a scientist", "freelance writer"} {
			if strings.Contains(doc.Text, bad) {
				t.Errorf("text keeps %q:\n%s", bad, doc.Text)
			}
		}
	}
}
