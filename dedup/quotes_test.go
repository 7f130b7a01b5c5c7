package dedup

import (
	"strings"
	"testing"
)

func TestRefLines(t *testing.T) {
	for _, c := range []struct {
		p    string
		want bool
	}{
		{"Read more: Minister resigns over leaked budget papers", true},
		{"EARLIER: Storm closes ports along the northern coast", true},
		{"Related coverage", true},
		{"More on this story:", true},
		{"See also “Floods return to the valley”", true},
		{"Lire aussi : La ministre démissionne", true},
		{"The minister resigned on Monday.", false},
		{"“We will not give up,” she said.", false},
		{"Is this the end of the road?", false},
		{"3 Kevin Harvick 5033 4 6 15 26 4 Denny Hamlin 5027 6 3 19 24", false},
		{strings.Repeat("word ", maxRefWords+1), false},
	} {
		if got := isRefLine(c.p); got != c.want {
			t.Errorf("isRefLine(%q) = %v, want %v", c.p, got, c.want)
		}
	}
	// reference lines drop out of a body with sentences, and only there
	body := "The minister resigned on Monday after the papers leaked.\n\nRead more: Budget talks stall again\n\nHer deputy takes over until a vote next month."
	n, _ := normalize(body, nil)
	without, _ := normalize("The minister resigned on Monday after the papers leaked.\n\nHer deputy takes over until a vote next month.", nil)
	if len(n.tokens) != len(without.tokens) || len(n.paras) != 2 {
		t.Errorf("reference line kept: %d tokens in %d paragraphs, want %d in 2", len(n.tokens), len(n.paras), len(without.tokens))
	}
	// the lede is never taken for one, however it ends
	if n, _ := normalize("Green onions, peppers or chili flakes]\n\nThe recipe is older than the restaurant.", nil); len(n.paras) != 2 {
		t.Errorf("a lede without a full stop was dropped: %d paragraphs left", len(n.paras))
	}
	lines := "Budget talks stall again\n\nMinister resigns over leaked papers"
	if n, _ := normalize(lines, nil); len(n.paras) != 2 {
		t.Errorf("a body of headlines alone lost paragraphs: %d left", len(n.paras))
	}
}

func TestQuotedRanges(t *testing.T) {
	for _, c := range []struct {
		p    string
		want []int32
	}{
		{"no quotes here at all", nil},
		{`“We will win,” she said on Monday.`, []int32{0, 3}},
		{`He said "not now" and "maybe later" twice.`, []int32{2, 4, 5, 7}},
		{`„Wir schaffen das“, sagte sie.`, []int32{0, 3}},
		{`“An open quote runs to the end`, []int32{0, 7}},
	} {
		toks, _, q := appendTokensQuoted(nil, c.p, nil, nil)
		plain, _ := appendTokens(nil, c.p, nil)
		if len(toks) != len(plain) {
			t.Errorf("%q: %d tokens, appendTokens gives %d", c.p, len(toks), len(plain))
		}
		if !equalInt32(q, c.want) {
			t.Errorf("%q: quoted ranges %v, want %v", c.p, q, c.want)
		}
	}
}

func equalInt32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFollowupQuotesNotACopy: a follow-up that repeats a short story's
// quotes and background paragraph under its own lede contains most of that
// story, but not outside the quotes: not the same story. An update that
// rewrote the lede of a story that is more than quotes and background is.
func TestFollowupQuotesNotACopy(t *testing.T) {
	p := loadPool(t)
	s := func(i int) string { return p.sentences[(i*37)%len(p.sentences)] }
	q := func(i int) string { return "“" + strings.TrimRight(s(i), ".") + ",” the minister said." }
	lede := s(1)
	background := s(2) + " " + s(3)
	parent := strings.Join([]string{lede, q(4), q(5) + " " + q(6), background}, "\n\n")
	followup := strings.Join([]string{s(10), s(11) + " " + q(4), s(12), q(5) + " " + q(6), s(13) + " " + s(14), background, s(15)}, "\n\n")
	reported := strings.Join([]string{lede, s(7) + " " + q(4), s(8), q(5) + " " + s(9), background}, "\n\n")
	update := strings.Join([]string{s(20), s(7) + " " + q(4), s(8), s(21), q(5) + " " + s(9), background}, "\n\n")
	d := New(Config{})
	m := d.Compare(followup, parent)
	if m.Containment < d.cfg.StrongContainment {
		t.Fatalf("the follow-up contains %.2f of the parent: the case needs %.2f or more", m.Containment, d.cfg.StrongContainment)
	}
	if m.Verified {
		t.Errorf("follow-up verified as a copy: %s", m.Why)
	}
	if m.Unquoted >= m.Containment {
		t.Errorf("unquoted containment %.2f not below containment %.2f", m.Unquoted, m.Containment)
	}
	if m := d.Compare(update, reported); !m.Verified {
		t.Errorf("update with a new lede not verified: %s", m.Why)
	}
	// with the quotes in the other order, or none, nothing changes for copies
	if m := d.Compare(parent+"\n\n"+s(30), parent); !m.Verified || m.Unquoted < 0.99 {
		t.Errorf("extended copy: %s (unquoted %.2f)", m.Why, m.Unquoted)
	}
}
