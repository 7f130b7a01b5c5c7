package store

import (
	"errors"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in, fts5, tsquery, str string
	}{
		{"storm", `("storm")`, `'storm'`, "storm"},
		{"  Storm   COAST ", `("storm" AND "coast")`, `'storm' & 'coast'`, "storm coast"},
		{`"coast guard" storm`, `("coast guard" AND "storm")`, `('coast' <-> 'guard') & 'storm'`, `"coast guard" storm`},
		{`storm -"coast guard" -rain`, `("storm") NOT "coast guard" NOT "rain"`, `'storm' & !('coast' <-> 'guard') & !'rain'`, `storm -"coast guard" -rain`},
		{"budg* Zürich", `("budg"* AND "zürich")`, `'budg':* & 'zürich'`, "budg* zürich"},
		{"e-mail", `("e mail")`, `('e' <-> 'mail')`, `"e mail"`},
		{`it's & "x'y"`, `("it s" AND "x y")`, `('it' <-> 's') & ('x' <-> 'y')`, `"it s" "x y"`},
		{"or and", `("or" AND "and")`, `'or' & 'and'`, "or and"},
	} {
		q, err := ParseQuery(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := q.fts5(); got != tc.fts5 {
			t.Errorf("%q: fts5 %s, want %s", tc.in, got, tc.fts5)
		}
		if got := q.tsquery(); got != tc.tsquery {
			t.Errorf("%q: tsquery %s, want %s", tc.in, got, tc.tsquery)
		}
		if got := q.String(); got != tc.str {
			t.Errorf("%q: String %s, want %s", tc.in, got, tc.str)
		}
	}
	for _, tc := range []struct{ in, msg string }{
		{"", "no words"},
		{"  !!! ", "no words"},
		{"-storm", "only excluded"},
		{`"coast guard`, "unclosed quote"},
		{"storm -", "'-' must be followed"},
		{"st*", "at least 3 letters"},
		{"*", "no letters or digits"},
		{"e-mail*", "single word"},
		{`"coast guard"*`, "'*' follows a word"},
		{"storm OR rain", "OR is not an operator"},
		{"(storm rain)", "parentheses"},
		{strings.Repeat("a ", 17), "more than 16"},
		{strings.Repeat("a", 1001), "longer than 1000"},
	} {
		_, err := ParseQuery(tc.in)
		if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: error %v, want ErrBadQuery saying %q", tc.in, err, tc.msg)
		}
	}
}

func TestSnippet(t *testing.T) {
	q, err := ParseQuery(`storm "coast guard" harb* -rain`)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("filler ", 30) + "The Storm reached the coast;\n\nthe guard closed the harbour. " + strings.Repeat("after ", 30)
	got := Snippet(text, q, 12)
	want := "… filler filler The **Storm** reached the **coast**; the **guard** closed the **harbour** …"
	if got != want {
		t.Errorf("snippet:\n got %s\nwant %s", got, want)
	}
	// Diacritics and case are ignored, as by the index.
	q2, _ := ParseQuery("zurich")
	if got := Snippet("Talks in Zürich ended.", q2, 10); got != "Talks in **Zürich** ended." {
		t.Errorf("diacritics: %s", got)
	}
	// No match in the text (the title matched): the start of the text.
	if got := Snippet("One two three four", q, 2); got != "One two …" {
		t.Errorf("no match: %s", got)
	}
}
