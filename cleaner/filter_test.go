package cleaner

import (
	"strings"
	"testing"
)

func TestFilterBlocks(t *testing.T) {
	prose := func(s string) block { return block{text: s, words: words(s)} }
	link := func(s string, external bool) block {
		b := block{text: s, words: words(s), linkWords: words(s)}
		if external {
			b.extLinkWords = b.linkWords
		}
		return b
	}
	p1 := "The council voted on Thursday to build twelve kilometres of protected cycle lanes over two years."
	p2 := "Supporters said the lanes would cut traffic, while opponents worried about the loss of parking."
	p3 := "Construction of the first section along the river is due to start in March next year."
	blocks := []block{
		prose("City council approves new cycle lanes"),
		prose("By Jane Doe, Associated Press"),
		prose("Updated 5:27 am CST, Wednesday, November 20, 2019"),
		prose(p1),
		prose("Volunteers fill sandbags near the old mill. Photo: John Roe/Getty Images"),
		prose("More than 200 residents attended the meeting, the largest turnout in years."),
		link("Bus fares to rise by 5% in January", false),
		prose(p2),
		link("Get the full report on the council website", true),
		prose(p3),
		prose("Read more: Bus fares to rise"),
		prose("Copy to clipboard"),
		prose("Advertisement"),
		prose("Sign up for our daily newsletter to get the top stories in your inbox."),
		prose("Jane Doe is a reporter for the Courier covering transport and city hall."),
		prose("You might also like"),
		link("Night buses return to the suburbs", false),
		prose("TRANSPORT"),
		link("Mayor unveils budget for 2020", false),
	}
	m := pageMeta{titles: []string{"City council approves new cycle lanes"}, Authors: []string{"Jane Doe"}}
	filterBlocks(blocks, &m)
	var kept []string
	for _, b := range blocks {
		if !b.drop {
			kept = append(kept, b.text)
		}
	}
	want := []string{p1, "More than 200 residents attended the meeting, the largest turnout in years.",
		"Bus fares to rise by 5% in January", p2, "Get the full report on the council website", p3}
	if strings.Join(kept, "\n") != strings.Join(want, "\n") {
		t.Errorf("kept:\n%s\n\nwant:\n%s", strings.Join(kept, "\n"), strings.Join(want, "\n"))
		for _, b := range blocks {
			t.Logf("drop=%v why=%q %s", b.drop, b.why, b.text)
		}
	}
}

// TestClickHereInASentence: "click here" opening a sentence is a call to
// click (a promo line); inside the author's own sentence it is a link in
// the article.
func TestClickHereInASentence(t *testing.T) {
	for _, tc := range []struct {
		text string
		drop bool
	}{
		{"Picasa 3.9 is ready for you to try out, with new photo editing effects. To download Picasa 3.9, click here.", false},
		{"One of our latest family costumes! If you don't know about these books, click here (they are great!).", false},
		{"Share pics of the lipsticks you swear by for a chance to win a gift set (click here for official rules).", false},
		{"Get Motor Cycle Monthly delivered every month. 12 issues for £11.99. Click here for more information.", true},
		{"Click here to subscribe to our newsletter.", true},
		{"This post is from another blog. \"Click here\" to see the original post in full.", true},
	} {
		blocks := []block{{text: tc.text, words: words(tc.text)}}
		filterBlocks(blocks, &pageMeta{})
		if blocks[0].drop != tc.drop {
			t.Errorf("%q: drop=%v (%s), want %v", tc.text, blocks[0].drop, blocks[0].why, tc.drop)
		}
	}
}

// TestAuthorFieldIsNoBioLabel: "Author: name" as one line of a list of
// fields (lines split by <br>) is part of the post; as a paragraph of its
// own at the end it labels an author box, dropped with the box.
func TestAuthorFieldIsNoBioLabel(t *testing.T) {
	line := func(s string, joinNext bool) block { return block{text: s, words: words(s), joinNext: joinNext} }
	intro := "Each week we feature a recently added gadget that looks promising, with a short note on what it does."
	fields := []block{line(intro, false), line("Name: Task List and Timer", true), line("Author: Adam Hotz", true),
		line("Description: Allows you to track tasks and the time spent on them.", false)}
	filterBlocks(fields, &pageMeta{})
	for _, b := range fields {
		if b.drop {
			t.Errorf("field line %q dropped (%s)", b.text, b.why)
		}
	}
	box := []block{line(intro, false), line("Author: Adam Hotz", false), line("Adam writes about desktop tools and lives in Oslo.", false)}
	filterBlocks(box, &pageMeta{})
	if !box[1].drop || !box[2].drop {
		t.Errorf("author box kept: %+v", box)
	}
}
