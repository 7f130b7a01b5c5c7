package cleaner

import (
	"testing"
)

// TestGatesAgreeWithRegexps: the word gates in front of rxCaption, rxPromo,
// rxShortcode and rxCommentCount, and the gated tail cut before
// rxGluedCredit, must never change an answer. It checks every element text of the dev corpus pages, plus one
// example of each alternative of the regexps (which must match, so the check
// is not vacuous).
func TestGatesAgreeWithRegexps(t *testing.T) {
	positives := []string{
		"Credit: Jane Doe", "PHOTOS: John", "Photograph: x", "picture: y", "Image: z", "(Image: Getty)",
		"Photo by Ann", "Photograph by Bo", "Image by Cy", "Picture by Di", "Photo credit Ed", "Image credit Fa",
		"Getty Images", "Copyright KIRILL KUDRYAVTSEV/AFP or licensors", "AP Photo/Evan Vucci", "AP Images",
		"Jane Doe/Reuters", "REUTERS/Jane Doe", "Jane/AFP", "AFP/Jane", "AFP via Getty", "Shutterstock",
		"iStock", "EPA-EFE/Jane", "File photo of a man", "Courtesy of the family", "(photo courtesy Jo)",
		"Jane/Getty", "Jane Getty", "Jane via Getty",
		"Follow us on Twitter", "click here", "Sign up for our newsletter", "Subscribe to our list",
		"Download the app", "If you enjoyed this story", "affiliate link", "Affiliate partners get links",
		"Click to Tweet", "All Rights Reserved", "Copyright 2024 Foo", "© Foo", "5 min read", "Reading time 3",
		"tempo de leitura", "Lesezeit", "Additional reporting by X", "Editing by Y", "Sources: Z",
		"Get our app", "Download the App", "Edited by Z", "Compiled by Q", "Produced by R",
		"[button href=x]", "[caption id=1 align=left]", "text [/caption]",
		"7 Comments", "No responses", "2 Replies", "Comments »", "COMMENTS |",
	}
	texts := append([]string(nil), positives...)
	for _, p := range loadDevCorpus(t) {
		for _, s := range elementTexts(t, p.HTML) {
			if len(s) < 2000 {
				texts = append(texts, s)
			}
		}
	}
	matched := map[string]int{}
	for _, s := range texts {
		for _, g := range []struct {
			name string
			rx   gatedRegexp
		}{{"caption", rxCaption}, {"promo", rxPromo}, {"shortcode", rxShortcode}, {"comment count", rxCommentCount}} {
			want := g.rx.rx.MatchString(s)
			if got := g.rx.MatchString(s); got != want {
				t.Errorf("%s gate says %v, regexp says %v, for %q", g.name, got, want, s)
			}
			if want {
				matched[g.name]++
			}
		}
		if got, want := gluedCredit(s), rxGluedCredit.MatchString(s); got != want {
			t.Errorf("glued credit on the gated tail says %v, on the whole %v, for %q", got, want, s)
		} else if want {
			matched["glued credit"]++
		}
	}
	for _, p := range []string{"in New York.Reuters", "at the zoo!Jane Doe/Getty Images", "é.Émile"} {
		if !gluedCredit(p) {
			t.Errorf("example %q is no glued credit", p)
		}
	}
	for _, p := range positives {
		if !rxCaption.MatchString(p) && !rxPromo.MatchString(p) && !rxShortcode.MatchString(p) && !rxCommentCount.MatchString(p) {
			t.Errorf("example %q matches neither regexp", p)
		}
	}
	t.Logf("%d texts checked; matches: %v", len(texts), matched)
}
