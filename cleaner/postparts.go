package cleaner

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// What blog engines print around a post, beside its text: the post's meta
// line, reader comments, the author box.

// rxCommentSignature matches the line blog engines print with each reader
// comment: "Posted by: name at date" (Movable Type, TypePad), "name Says:"
// (WordPress), "name said..." (Blogger). The colon or the "says" sets it
// apart from an article's own byline ("Posted by Jane Doe").
var rxCommentSignature = regexp.MustCompile(`(?i)^\W*((posted|written|submitted|comment(ed)?) by\s*:|[^.!?]{1,60}\s(says|said|wrote)\s*(:|\.\.\.|…)\s*$)`)

// commentThreadMin is the fewest comment signatures that make a thread: one
// or two such lines can be quotes in the article.
const commentThreadMin = 3

// dropCommentThread drops the reader comments that the content search took
// with the article, on templates that do not name them: from the first
// comment (after the last dropped line, the article's dateline or a
// "Comments" label, before the first signature) to the end, when the text
// has commentThreadMin signatures or more.
func dropCommentThread(blocks []block) {
	first, n := -1, 0
	for i := range blocks {
		if len(blocks[i].text) < 200 && rxCommentSignature.MatchString(blocks[i].text) {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	if n < commentThreadMin {
		return
	}
	start := first
	for start > 0 && !blocks[start-1].drop {
		start--
	}
	if start == 0 {
		return // nothing marks where the article ends
	}
	for i := start; i < len(blocks); i++ {
		if !blocks[i].drop {
			blocks[i].drop, blocks[i].why = true, "comments"
		}
	}
}

// dropAuthorBio drops an author's biography at the end of the text: one of
// the last three kept blocks that opens with an author's full name followed
// by "is", "'s" or "covers" ("Jane Doe is a reporter for ..."), a box of
// its own that opens with a name and "is a" or "is the", or what follows an
// "About the author" label.
func dropAuthorBio(blocks []block, authors []string) {
	if dropLabelledBio(blocks) {
		return
	}
	var body *html.Node // the parent of the article's first paragraph
	for i := range blocks {
		if isProse(&blocks[i]) {
			body = blocks[i].parent
			break
		}
	}
	seen := 0
	for i := len(blocks) - 1; i >= 0 && seen < 3; i-- {
		b := &blocks[i]
		if b.drop {
			continue
		}
		seen++
		if b.words > 70 {
			continue
		}
		if b.parent != body && rxBioStart.MatchString(b.text) && !rxNotName.MatchString(b.text) && rxBioWords.MatchString(b.text) {
			b.drop, b.why = true, "author bio"
			continue
		}
		norm := normText(b.text)
		for _, a := range authors {
			if !strings.Contains(a, " ") {
				continue
			}
			for _, verb := range []string{" is ", " s ", " covers ", " writes ", " has ", " was "} {
				if strings.HasPrefix(norm, a+verb) {
					b.drop, b.why = true, "author bio"
				}
			}
		}
	}
}

var (
	// rxBioStart matches the start of a short biography: a name of one to
	// three capitalised words, then "is a", "is an", "is the" or "is
	// founder" ("Mary Brock is a scientist who ...").
	rxBioStart = regexp.MustCompile(`^\W*\p{Lu}[\pL.'’-]*( \p{Lu}[\pL.'’-]*){0,2} is (a|an|the|founder|co-founder)\b`)
	// rxNotName matches a sentence opening with a pronoun or determiner,
	// which rxBioStart would take for a name ("This is a book ...").
	rxNotName = regexp.MustCompile(`^\W*(This|That|These|Those|It|He|She|They|There|Here|What|Which|Who|One|Our|My|His|Her|Their|Its|The|A|An)\b`)
	// rxBioWords are the words of a biography: what the author does and
	// where they live.
	rxBioWords = regexp.MustCompile(`(?i)\b(writer|blogger|editor|author|journalist|founder|reporter|columnist|contributor|freelance|mother|mom|father|dad|wife|husband|lives|graduate|student|professor|fellow|scientist|designer|photographer|correspondent|enthusiast|geek)s?\b`)
	// rxBioLabel matches the label over an author box.
	rxBioLabel = regexp.MustCompile(`(?i)^\W*(about the authors?|about author|author bio(graphy)?|author:\s*\pL[\pL.'’ -]{1,40})\W*$`)
)

// bioMaxWords is the most text (words) under an "About the author" label
// that is taken for the author box, not the rest of the article.
const bioMaxWords = 150

// dropLabelledBio drops an "About the author" or "Author: name" label among
// the last four kept blocks and everything kept after it, when that is
// short enough to be an author box. It reports whether it dropped one.
func dropLabelledBio(blocks []block) bool {
	seen := 0
	for i := len(blocks) - 1; i >= 0 && seen < 4; i-- {
		if blocks[i].drop {
			continue
		}
		seen++
		if blocks[i].words > 8 || !rxBioLabel.MatchString(blocks[i].text) || i > 0 && blocks[i-1].joinNext {
			// Not a label, or a line of a list of fields ("Name: ...<br>
			// Author: ...<br>Description: ..."), not a box's label.
			continue
		}
		n := 0
		for j := i + 1; j < len(blocks); j++ {
			if !blocks[j].drop {
				n += blocks[j].words
			}
		}
		if n > bioMaxWords {
			return false
		}
		for j := i; j < len(blocks); j++ {
			if !blocks[j].drop {
				blocks[j].drop, blocks[j].why = true, "author bio"
			}
		}
		return true
	}
	return false
}

// postMetaWords is the longest line taken for a post's meta line.
const postMetaWords = 30

var (
	// rxCommentCount matches a comment count or prompt in a post's meta
	// line ("7 Comments", "No Comments »", "Leave a comment").
	rxCommentCount = regexp.MustCompile(`(?i)(\b(\d+|no|one|leave a|add|add a|post a) (comments?|responses?|replies)\b|\bcomments?\s*(»|\||$))`)
	// rxPostMetaWord matches what else fills a post's meta line: a date,
	// a "posted in" or "filed under" label, separators.
	rxPostMetaWord = regexp.MustCompile(`(?i)(\b(posted|published|filed|tagged|categor\w*)\b|\||·|•|\b\d{4}\b)`)
)

// isPostMeta reports the line under a post's headline or text that gives its
// date, categories and comment count ("Posted in News | 7 Comments »",
// "· Quickies · 7 Comments · October 29th, 2012").
func isPostMeta(text string) bool {
	return rxCommentCount.MatchString(text) && rxPostMetaWord.MatchString(text)
}
