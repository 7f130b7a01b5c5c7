package testweb

import (
	"strings"
)

// Cases that grow with the size of a web (issue 16), with Options.Crowded:
// the more stories, the more pairs of different stories that share their
// template text, or their lede, and are short enough for it to outweigh
// their own.
//
//   - House paragraphs: a third of the outlets (never a wire) put standing
//     paragraphs of their own in every article, staff stories and
//     syndicated copies alike: a note about the outlet, a tip line, a
//     corrections policy, a pointer to the photo gallery. They are
//     sentences, so a cleaner keeps them, and every story of the outlet
//     shares them.
//   - Briefs: about one wire or staff story in eight is a brief of two to
//     four sentences, on which an outlet's house paragraphs weigh as much
//     as the story.
//   - Chains: a follow-up is itself followed (see makeStories), so a
//     second-day story quotes a follow-up that quoted its parent, and all
//     three repeat one background paragraph.

// houseTexts are the standing paragraphs outlets choose from; %s is the
// outlet's name. afterLede: placed after the first paragraph rather than
// at the end.
var houseTexts = []struct {
	text      string
	afterLede bool
}{
	{"%s is an independent newsroom that covers local government, schools and public safety across the region, and its journalism is free to read.", false},
	{"Have a tip about this or any other story? Email the %s newsroom or call our news desk, which is staffed seven days a week.", false},
	{"%s corrects errors of fact promptly and notes the correction at the end of the story; to report an error, write to the standards editor.", false},
	{"Photos and video from the scene are in the gallery at the top of this page, and %s will update this report as more details become available.", true},
	{"Our coverage of elections, courts and public health relies on public records, interviews and documents that %s verifies before publication.", false},
	{"Stay with %s for continuing coverage of this and other developing stories from the region and around the world throughout the day.", true},
	{"Readers can find more stories like this one in the daily print edition of %s, which is delivered across the metropolitan area every morning.", false},
}

// briefPercent is the share of wire and staff stories that are briefs.
const briefPercent = 12

// isBrief reports whether story i (a wire or staff story) is a brief,
// from a generator of its own so that the other stories stay as they were.
func isBrief(seed int64, i int) bool {
	return rngFor(seed, saltStory, uint64(i), 0xb41e).IntN(100) < briefPercent
}

// briefSentences is how many sentences a brief takes besides its lead.
func briefSentences(seed int64, i int) int {
	return 1 + rngFor(seed, saltStory, uint64(i), 0xb41f).IntN(3)
}

// houseStyle returns outlet oi's house paragraphs, none for most outlets.
func (w *Web) houseStyle(oi int) (afterLede, atEnd []string) {
	o := w.outlets[oi]
	if o.wire || !w.opts.Crowded {
		return nil, nil
	}
	h := hashParts(w.opts.Seed, saltLayout, uint64(oi), 0x686f)
	if h%3 != 0 {
		return nil, nil
	}
	n := 1 + int(h>>8)%2
	first := int(h>>16) % len(houseTexts)
	for k := range n {
		t := houseTexts[(first+3*k)%len(houseTexts)]
		text := strings.Replace(t.text, "%s", o.name, 1)
		if t.afterLede {
			afterLede = append(afterLede, text)
		} else {
			atEnd = append(atEnd, text)
		}
	}
	return afterLede, atEnd
}

// withHouse adds page pi's house paragraphs to its body paragraphs.
func (w *Web) withHouse(pi int32, paras []string) []string {
	afterLede, atEnd := w.houseStyle(int(w.pages[pi].outlet))
	if len(paras) == 0 || afterLede == nil && atEnd == nil {
		return paras
	}
	out := make([]string, 0, len(paras)+len(afterLede)+len(atEnd))
	out = append(out, paras[0])
	out = append(out, afterLede...)
	out = append(out, paras[1:]...)
	return append(out, atEnd...)
}

// pageHouse lists the house paragraphs of page pi (see Page.House).
func (w *Web) pageHouse(pi int32) []string {
	afterLede, atEnd := w.houseStyle(int(w.pages[pi].outlet))
	return append(afterLede, atEnd...)
}
