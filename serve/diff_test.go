package serve_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl/serve"
)

func TestSentences(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{`He said "stop." Then left.` + "\n\n" + "New para… yes", []string{`He said "stop."`, "Then left.", "New para…", "yes"}},
		{"Pi is 3.14 today. U.S.A. wins", []string{"Pi is 3.14 today.", "U.S.A. wins"}},
		{"(Aside.) Next.\n\n\n\nLast.", []string{"(Aside.)", "Next.", "Last."}},
	}
	for _, c := range cases {
		if got := serve.Sentences(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Sentences(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// show writes a diff compactly: "=" same, "+" added, "-" removed, "~"
// edited with [-removed-]{+added+} words.
func show(d []serve.SentenceDiff) string {
	var b strings.Builder
	for _, l := range d {
		switch l.Change {
		case serve.Same:
			fmt.Fprintf(&b, "=%s|", l.Text)
		case serve.Added:
			fmt.Fprintf(&b, "+%s|", l.Text)
		case serve.Removed:
			fmt.Fprintf(&b, "-%s|", l.Text)
		case serve.Edited:
			b.WriteString("~")
			for _, s := range l.Spans {
				switch s.Change {
				case serve.Added:
					fmt.Fprintf(&b, "{+%s+}", s.Text)
				case serve.Removed:
					fmt.Fprintf(&b, "[-%s-]", s.Text)
				default:
					b.WriteString(s.Text)
				}
			}
			b.WriteString("|")
		}
	}
	return b.String()
}

func TestDiffSentences(t *testing.T) {
	const canon = "The storm hit on Tuesday. Power was cut to 200,000 homes. Schools will close.\n\nMore rain is expected."
	cases := []struct {
		name, copy, want string
		sum              serve.DiffSummary
	}{
		{"identical", canon, "=The storm hit on Tuesday.|=Power was cut to 200,000 homes.|=Schools will close.|=More rain is expected.|",
			serve.DiffSummary{Same: 4}},
		{"added in front", "Local desk. " + canon, "+Local desk.|=The storm hit on Tuesday.|=Power was cut to 200,000 homes.|=Schools will close.|=More rain is expected.|",
			serve.DiffSummary{Added: 1, Same: 4}},
		{"removed", "The storm hit on Tuesday. Schools will close. More rain is expected.",
			"=The storm hit on Tuesday.|-Power was cut to 200,000 homes.|=Schools will close.|=More rain is expected.|",
			serve.DiffSummary{Removed: 1, Same: 3}},
		{"edited", "The storm hit on Tuesday. Power was cut to about 210,000 homes. Schools will close.\n\nMore rain is expected.",
			"=The storm hit on Tuesday.|~Power was cut to[- 200,000-]{+ about 210,000+} homes.|=Schools will close.|=More rain is expected.|",
			serve.DiffSummary{Edited: 1, Same: 3}},
		{"replaced, not edited", "The storm hit on Tuesday. A ferry sank in the bay. Schools will close. More rain is expected.",
			"=The storm hit on Tuesday.|-Power was cut to 200,000 homes.|+A ferry sank in the bay.|=Schools will close.|=More rain is expected.|",
			serve.DiffSummary{Added: 1, Removed: 1, Same: 3}},
		{"added before an edit", "The storm hit on Tuesday. Crews are out. Power was cut to 200,000 homes and shops. Schools will close. More rain is expected.",
			"=The storm hit on Tuesday.|+Crews are out.|~Power was cut to 200,000 homes{+ and shops+}.|=Schools will close.|=More rain is expected.|",
			serve.DiffSummary{Added: 1, Edited: 1, Same: 3}},
		{"punctuation apart", "The storm hit on Tuesday, officials said. Power was cut to 200,000 homes. Schools will close. More rain is expected.",
			"~The storm hit on Tuesday{+, officials said+}.|=Power was cut to 200,000 homes.|=Schools will close.|=More rain is expected.|",
			serve.DiffSummary{Edited: 1, Same: 3}},
		{"empty copy", "", "-The storm hit on Tuesday.|-Power was cut to 200,000 homes.|-Schools will close.|-More rain is expected.|",
			serve.DiffSummary{Removed: 4}},
	}
	for _, c := range cases {
		d := serve.DiffSentences(canon, c.copy)
		if got := show(d); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		if got := serve.Summary(d); got != c.sum {
			t.Errorf("%s: summary %+v, want %+v", c.name, got, c.sum)
		}
	}
}

// TestDiffLarge: texts whose LCS table would exceed the bound still diff
// (common ends matched, the middle removed and added), in bounded memory.
func TestDiffLarge(t *testing.T) {
	var a, b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&a, "Alpha number %d is here. ", i)
		fmt.Fprintf(&b, "Beta count %d was there. ", i)
	}
	head, tail := "Same start. ", " Same end."
	d := serve.DiffSentences(head+a.String()+tail, head+b.String()+tail)
	if s := serve.Summary(d); s.Same != 2 || s.Added != 3000 || s.Removed != 3000 {
		t.Errorf("large diff: %+v", s)
	}
}
