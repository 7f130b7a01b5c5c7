package testweb

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCharsetDeclarations checks that each outlet declares its charset the
// way Outlet.CharsetDecl says, and only that way.
func TestCharsetDeclarations(t *testing.T) {
	w, err := Generate(Options{Seed: 61, Stories: 60})
	if err != nil {
		t.Fatal(err)
	}
	decls := map[string]bool{}
	for _, o := range w.Outlets() {
		var page Page
		for _, p := range w.Truth() {
			if p.OutletIndex == o.Index {
				page = p
				break
			}
		}
		if page.URL == "" {
			continue
		}
		rec := httptest.NewRecorder()
		w.Handler(o.Index).ServeHTTP(rec, httptest.NewRequest("GET", strings.TrimPrefix(page.URL, o.BaseURL), nil))
		body := rec.Body.Bytes()
		ct := rec.Header().Get("Content-Type")
		head := string(body[:min(len(body), 600)])
		inHeader := strings.Contains(ct, "charset="+o.Charset)
		inMeta := strings.Contains(head, `<meta charset="`+o.Charset+`">`) || strings.Contains(head, "charset="+o.Charset+`">`)
		bom := bytes.HasPrefix(body, []byte("\xEF\xBB\xBF"))
		want := map[string][3]bool{"header+meta": {true, true, false}, "header": {true, false, false}, "meta": {false, true, false}, "bom+meta": {false, true, true}}[o.CharsetDecl]
		if got := [3]bool{inHeader, inMeta, bom}; got != want {
			t.Errorf("%s (%s, %s): header %v meta %v BOM %v", o.Name, o.Charset, o.CharsetDecl, inHeader, inMeta, bom)
		}
		if !strings.Contains(ct, "charset=") && !inMeta {
			t.Errorf("%s: charset declared nowhere", o.Name)
		}
		decls[o.CharsetDecl] = true
		if o.Charset != "utf-8" {
			// a legacy page is not valid UTF-8 when it has non-ASCII text
			for _, c := range body {
				if c >= 0x80 {
					if bytes.Equal(bytes.ToValidUTF8(body, nil), body) {
						t.Errorf("%s: %s page is valid UTF-8", o.Name, o.Charset)
					}
					break
				}
			}
		}
	}
	for _, d := range []string{"header+meta", "header", "meta", "bom+meta"} {
		if !decls[d] {
			t.Errorf("no outlet declares its charset as %s", d)
		}
	}
}
