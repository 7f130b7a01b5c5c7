package cleaner

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// rxBoilerLine matches a whole short block that is a widget label or prompt.
	rxBoilerLine = regexp.MustCompile(`(?i)^\W*(advertisements?|advertising|advert|ad|sponsored( content)?|continue reading( below| the main story)?|read more|read next|more|see more|see also|related( articles?| stories| content| coverage| links| news)?|you (might|may) (also )?like|recommended( for you| stories)?|most (read|popular|viewed)|trending( now| stories)?|don'?t miss|must read|share( this)?( article| story| page)?|share on \w+|comments?|\d+ comments?|leave a comment|post a comment|add a comment|no comments( yet)?|be the first to comment|copy to clipboard|copied|copy link|close( button)?|caption|image \d+ of \d+|image \d+|photo \d+ of \d+|\d+ of \d+|next|previous|back to top|print|email|tweet|facebook|twitter|linkedin|whatsapp|pinterest|reddit|loading|top stories|latest( news)?|editor'?s picks?|watch|listen|video|photos?|skip|menu|search|follow us|tags?|topics?|filed under|view comments|show comments|add comment|leave a reply|no related posts|(previous|next|older|newer) (post|posts|article|story|entry|entries)|we also recommend|iklan|anzeige|werbung|publicité|publicidad|pubblicità|reklame|advertentie|annonse|the associated press|associated press|reuters|afp|ap|dpa|upi)\W*$`)
	// rxBoilerPrefix matches the start of a short promotional or navigational
	// line: on its own it is enough for a short line.
	rxBoilerPrefix = regexp.MustCompile(`(?i)^\W*(read more|see more|see also|also read|read also|read next|recommended|click here|tap here|sign up|subscribe|follow (us|me)|get (the|our) app|download (the|our)|like us|join (us|our)|don'?t miss|must read|filed under|more (on|from) (this|our|the)|share (this|on)|copy/paste|copy and paste)\b`)
	// rxLabelPrefix matches a label that starts a promo line only when a
	// colon follows it ("More:", "Related:", "Watch:", "Tags:").
	rxLabelPrefix = regexp.MustCompile(`(?i)^\W*(also|more|related|watch|watch more|listen|trending|tags?|topics?|embed|video|photos?|gallery|source|more [\pL ]{1,20}):`)
	// rxCaption matches photo captions and credits.
	rxCaption = gate(regexp.MustCompile(`(?i)(\bcredit:|\bcredits:|\bphoto:|\bphotos:|\bphotograph:|\bpicture:|\bimage:|\(image:|\bphoto by\b|\bphotograph by\b|\bimage by\b|\bpicture by\b|\bphoto credit|\bimage credit|\bgetty images?\b|\bor licensors\b|\bap photo\b|\bap images\b|\breuters/|/reuters\b|/afp\b|\bafp/|\bafp via getty\b|\bshutterstock\b|\bistock\b|\bepa-efe\b|\bfile photo\b|^\W*(photo |image |picture )?courtesy\b|\((photo |image |picture )?courtesy\b|/getty\b|\bgetty$|\bvia getty\b)`),
		"credit", "photo", "picture", "image", "getty", "licensors", "reuters", "afp", "shutterstock", "istock", "epa-efe", "courtesy")
	// rxGluedCredit matches a caption whose credit follows the last
	// sentence with no space ("...in New York.Reuters").
	rxGluedCredit = regexp.MustCompile(`\p{Ll}[.!?]\p{Lu}[\pL\- ]{1,40}(/[\pL.\- ]{1,40})?$`)
	// rxPromo matches, anywhere in a short block, a call to follow, subscribe
	// or click, a copyright line or a reading-time note. "Click here" is a
	// call when it opens a sentence; inside one ("to download it, click
	// here") it is the author's link.
	rxPromo = gate(regexp.MustCompile(`(?i)(\bfollow (us|him|her|me|them|@?[\pL.]+) (on|at) (twitter|facebook|instagram|linkedin|youtube)|(^\W*|[.!?]["'”’)\]]*\s+["'“‘(\[]*)click here\b|\bsign[ -]?up (for|to) (our|the)\b|^\W*sign[ -]?up (for|to)\b.{0,40}\b(newsletter|updates|e-?mails?)\b|\bsubscribe to (our|the)\b|\b(get|download) (our|the) app\b|^\W*if you (enjoyed|liked|value) (this|our)\b|\baffiliate links?\b|\baffiliate\b.{0,30}\blinks?\b|\bclick to tweet\b|\ball rights reserved\b|\bcopyright\s*(©|@|\(c\)|\d{4})|©|^\W*\d+\s*(min|mins|minute|minutes|minuto|minutos|minuten)\b.{0,12}\bread|\bread(ing)? time\b|\btempo de leitura\b|\blesezeit\b|^\W*(additional |with )?reporting by\b|^\W*(editing|edited|compiled|produced) by\b|^\W*sources?\s*:)`),
		"follow", "click", "sign", "subscribe", "our app", "the app", "if you", "affiliate", "rights reserved", "copyright", "©",
		"read", "leitura", "lesezeit", "reporting by", "editing by", "edited by", "compiled by", "produced by", "source")
	// rxPromoStart matches the opening of a promotional or prompt paragraph,
	// or of the lines blog engines put under a post (WordPress's "This entry
	// was posted in ...", a comment form's help, a TypePad trackback list).
	rxPromoStart = regexp.MustCompile(`(?i)^\W*(if you (enjoyed|liked|value|appreciate) (this|our|reading)|join (us|our|the conversation|the discussion)\b|tell us what you think|what do you think\?|have your say|leave a comment|follow (\S+ ){0,4}(coverage|updates)\b|support (our|independent) journalism|become a (member|subscriber|supporter)|this (entry|post) was posted\b|you can follow any responses to this|you may use these html tags|listed below are links to (weblogs|blogs|sites|posts) that reference|trackback url for this|https?://\S+/trackback/|this page is best viewed|the letters and numbers you entered|as a final step before posting your comment|having trouble reading this image|(posted|filed) (in|under)\b[^.]{0,200}\b(\d+|no|leave a) (comments?|responses?)\b)`)
	// rxShortcode matches a leaked WordPress shortcode ("[button ...]").
	rxShortcode   = gate(regexp.MustCompile(`^\s*\[[a-z_-]+\s[^\]]*=[^\]]*\]|\[/[a-z_-]+\]\s*$`), "[")
	rxClock       = regexp.MustCompile(`\b\d{1,2}[:.h]\d{2}\b`)
	rxNumericDate = regexp.MustCompile(`\b(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b`)
	// rxDatelineStart matches the label of a publication line.
	rxDatelineStart = regexp.MustCompile(`(?i)^\W*(published|updated|posted|last updated|last modified|first published|modified|created|date)\b`)
	rxBylineStart   = regexp.MustCompile(`^\W*([Bb]y|BY|[Ww]ritten by|[Ww]ords by|[Vv]on|[Pp]ar|[Pp]or|[Dd]i|[Dd]oor|[Aa]v)\s+\p{Lu}`)
)

// englishDateNames are the English month and weekday names, in full and
// abbreviated, lower-case.
var englishDateNames = []string{
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"january", "february", "march", "april", "june", "july", "august", "september", "october",
	"november", "december", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}

// monthWords are month and weekday names, lower-case, in the languages most
// news is written in, with the little words that join them in dates.
var monthWords = wordSet(englishDateNames, []string{
	"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
	"outubro", "novembro", "dezembro", "enero", "febrero", "marzo", "mayo", "junio", "julio",
	"septiembre", "octubre", "noviembre", "diciembre", "janvier", "février", "mars", "avril", "mai",
	"juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre", "januar", "februar",
	"märz", "juni", "juli", "oktober", "dezember", "gennaio", "febbraio", "aprile", "maggio",
	"giugno", "luglio", "settembre", "ottobre", "dicembre", "segunda", "terça", "quarta", "quinta",
	"sexta", "sábado", "domingo", "feira", "lunes", "martes", "miércoles", "jueves", "viernes",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "montag", "dienstag",
	"mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "de", "às", "del", "le", "um", "am",
	"à",
})

// dateWords are the words of an English date or time, lower-case, month
// and weekday names included.
var dateWords = wordSet(englishDateNames, []string{
	"am", "pm", "a", "p", "m", "est", "edt", "cst", "cdt", "pst", "pdt", "mst", "mdt", "gmt", "utc",
	"bst", "cet", "cest", "ist", "aest", "et", "pt", "ct", "ago", "hour", "hours", "hr", "hrs",
	"minute", "minutes", "min", "mins", "day", "days", "week", "weeks", "month", "months", "year",
	"years", "today", "yesterday", "at", "on", "of", "the", "and", "updated", "update", "published",
	"posted", "modified", "last", "first", "created", "date", "time", "read", "reading",
})

// wordSet returns the set of the words of lists.
func wordSet(lists ...[]string) map[string]bool {
	set := make(map[string]bool)
	for _, l := range lists {
		for _, w := range l {
			set[w] = true
		}
	}
	return set
}

// dateTokens splits a line into its runs of letters and digits.
func dateTokens(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// isMonthWord reports whether tok names a month or weekday (any case).
func isMonthWord(tok string) bool { return monthWords[strings.ToLower(tok)] }

// isDateWord reports whether tok is a piece of a date or time: a date word
// or a number of one to four ASCII digits, with an ordinal suffix or "h".
func isDateWord(tok string) bool {
	lower := strings.ToLower(tok)
	if dateWords[lower] {
		return true
	}
	n := 0
	for n < len(lower) && n < 5 && lower[n] >= '0' && lower[n] <= '9' {
		n++
	}
	if n == 0 || n > 4 {
		return false
	}
	switch lower[n:] {
	case "", "st", "nd", "rd", "th", "h":
		return true
	}
	return false
}

// linkLineDensity is the share of a block's words in links above which a
// block that is not a sentence is a link line (navigation, a related
// story), not prose with a few links.
const linkLineDensity = 0.6

// maxPatternLen is the longest block the line patterns are tried on.
const maxPatternLen = 1200

// filterBlocks marks the blocks a reader would not copy as part of the
// article: widget labels, captions, promotional lines, link lists, the
// repeated headline and the byline and dateline lines.
func filterBlocks(blocks []block, m *pageMeta) {
	titles := make([]string, 0, len(m.titles))
	for _, t := range m.titles {
		if k := normText(t); k != "" {
			titles = append(titles, k)
		}
	}
	authors := make([]string, 0, len(m.Authors)+1)
	for _, a := range append(append([]string(nil), m.Authors...), m.Byline) {
		if k := normText(a); len(k) >= 4 {
			authors = append(authors, k)
		}
	}

	for i := range blocks {
		b := &blocks[i]
		norm := normText(b.text)
		if norm == "" {
			b.drop, b.why = true, "empty"
			continue
		}
		short := b.words <= 15
		if len(b.text) > maxPatternLen {
			// Long blocks are prose or data, never a widget line; and the
			// patterns below cost time per byte.
			if b.linkDensity() > linkLineDensity && !endsSentence(b.text) {
				b.drop, b.why = true, "link"
			}
			continue
		}
		switch {
		case b.words <= 25 && containsNorm(titles, norm):
			b.why = "title" // the headline again
		case short && b.tag != "tr" && isDateline(b.text):
			b.why = "dateline"
		case b.words <= 20 && isByline(b.text, norm, authors):
			b.why = "byline"
		case b.words <= 12 && rxBoilerLine.MatchString(b.text):
			b.why = "widget"
		case b.words <= 30 && (rxLabelPrefix.MatchString(b.text) ||
			rxBoilerPrefix.MatchString(b.text) && (b.linkDensity() >= 0.5 || strings.Contains(b.text[:min(len(b.text), 40)], ":") || b.words <= 8)):
			b.why = "promo"
		case b.words <= 45 && (rxCaption.MatchString(b.text) || rxGluedCredit.MatchString(tail(b.text, gluedCreditMaxBytes))):
			b.why = "caption"
		case b.words <= 50 && rxPromo.MatchString(b.text):
			b.why = "promo"
		case b.words <= postMetaWords && isPostMeta(b.text):
			b.why = "post meta"
		case b.words <= 80 && rxPromoStart.MatchString(b.text):
			b.why = "prompt"
		case rxShortcode.MatchString(b.text):
			b.why = "shortcode"
		case b.linkDensity() > linkLineDensity && (b.words < 15 || !endsSentence(b.text)):
			b.why = "link" // a link on its own line: navigation, related story
		}
		b.drop = b.why != ""
	}
	keepInlineLinks(blocks)
	dropRepeats(blocks)
	dropCommentThread(blocks)
	dropAuthorBio(blocks, authors)
	dropRelatedRuns(blocks)
	dropStandfirst(blocks)
	dropEmptySections(blocks)
}

// repeatWords is the fewest words a paragraph has to count toward a
// repeated copy: short lines (a refrain, a recipe step) repeat in articles.
const repeatWords = 8

// repeatRun is the fewest repeated paragraphs in a row that make a second
// copy of the article; a single repeat is a quote or a refrain.
const repeatRun = 3

// dropRepeats drops the second copy of the article: a run of paragraphs
// already kept word for word that starts where the article starts and is
// as long as half the text before it, or as all of it (a page
// that carries the article twice, as a hidden print or mobile copy or a
// collapsed "full story", gives it once). Shorter repeats are the
// article's own: a meal plan that repeats a day's list.
func dropRepeats(blocks []block) {
	seen := map[string]bool{}
	first := ""    // the first long paragraph kept: where a copy starts
	runFirst := "" // the run's first long paragraph
	var run []int  // kept blocks in a row that repeat an earlier one
	long := 0      // how many of them have repeatWords words or more
	before := 0    // words kept before the run
	runWords := 0  // words in the run
	end := func() {
		// A run as long as everything kept before it is a whole second
		// copy, however short the article.
		whole := long > 0 && runWords >= before
		if (long >= repeatRun && 2*runWords >= before || whole) && runFirst == first {
			for _, i := range run {
				blocks[i].drop, blocks[i].why = true, "repeat"
			}
		} else {
			before += runWords
		}
		run, long, runWords, runFirst = run[:0], 0, 0, ""
	}
	for i := range blocks {
		b := &blocks[i]
		if b.drop {
			continue
		}
		k := normText(b.text)
		if !seen[k] {
			end()
			seen[k] = true
			before += b.words
			if first == "" && b.words >= repeatWords {
				first = k
			}
			continue
		}
		run = append(run, i)
		runWords += b.words
		if b.words >= repeatWords {
			if long == 0 {
				runFirst = k
			}
			long++
		}
	}
	end()
}

// dropEmptySections drops a heading (or a short label line before one)
// when nothing under it was kept: the title of a removed promo or list.
func dropEmptySections(blocks []block) {
	for i := range blocks {
		b := &blocks[i]
		if b.drop || !b.heading || b.words > 12 {
			continue
		}
		kept := false
		for j := i + 1; j < len(blocks) && !blocks[j].heading; j++ {
			if !blocks[j].drop {
				kept = true
				break
			}
		}
		// At the very end of the text a heading is empty too, but only
		// when something under it was dropped (not a closing subtitle).
		if !kept && i+1 < len(blocks) && !blocks[i+1].heading {
			b.drop, b.why = true, "empty section"
		}
	}
}

// dropStandfirst drops a standfirst: a short lead-in at the top, set apart
// from the body (in a <header>, or a container named lead, dek, summary...)
// and followed by body paragraphs in another container. It is kept as the
// Document's Description instead.
func dropStandfirst(blocks []block) {
	seen := 0
	for i := range blocks {
		b := &blocks[i]
		if b.drop {
			continue
		}
		seen++
		if seen > 3 {
			return
		}
		if !b.standfirst || b.words > 80 {
			continue
		}
		for j := i + 1; j < len(blocks); j++ {
			if isProse(&blocks[j]) {
				if blocks[j].parent != b.parent && !blocks[j].standfirst {
					b.drop, b.why = true, "standfirst"
				}
				break
			}
		}
	}
}

// isProse reports a block of running text.
func isProse(b *block) bool {
	return b.words >= 10 && b.linkDensity() < 0.3 && !b.drop
}

// keepInlineLinks restores a lone link line that sits between two prose
// paragraphs ("Get it on Amazon for $39"): part of the article, unlike the
// runs of links that make up related-story lists.
//
// Lines linking mostly to other sites (sources, products, bug reports) are
// restored too when prose comes both before and after them: related-story
// lists link to the site's own pages.
func keepInlineLinks(blocks []block) {
	firstProse, lastProse := -1, -1
	for i := range blocks {
		if isProse(&blocks[i]) {
			if firstProse < 0 {
				firstProse = i
			}
			lastProse = i
		}
	}
	for i := range blocks {
		b := &blocks[i]
		if b.why != "link" || i == 0 || i+1 >= len(blocks) || isUpperLine(b.text) {
			continue
		}
		lone := isProse(&blocks[i-1]) && isProse(&blocks[i+1])
		external := 2*b.extLinkWords > b.linkWords && i > firstProse && i < lastProse
		if lone || external {
			b.drop, b.why = false, ""
		}
	}
}

// isUpperLine reports text written in capitals, as promotional headlines are.
func isUpperLine(s string) bool {
	up, low := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			up++
		case unicode.IsLower(r):
			low++
		}
	}
	return up > 3*low
}

// dropRelatedRuns drops short blocks that sit among dropped link blocks:
// the kicker lines and headings of a related-stories list.
func dropRelatedRuns(blocks []block) {
	for i := range blocks {
		b := &blocks[i]
		if b.drop || b.words > 8 || strings.ContainsAny(strings.TrimSpace(b.text)[max(0, len(strings.TrimSpace(b.text))-1):], ".!?\"”") {
			continue
		}
		prevDrop := i > 0 && blocks[i-1].drop && blocks[i-1].linkWords > 0
		nextDrop := i+1 < len(blocks) && blocks[i+1].drop && blocks[i+1].linkWords > 0
		if prevDrop && nextDrop || (nextDrop && i+2 < len(blocks) && blocks[i+2].drop) {
			b.drop, b.why = true, "kicker"
		}
	}
}

// endsSentence reports text that ends like prose, with a full stop,
// question or exclamation mark, possibly inside a closing quote.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, " \t\n\"'”’»)")
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "。")
}

func containsNorm(list []string, s string) bool {
	for _, t := range list {
		if t == s {
			return true
		}
	}
	return false
}

// isDateline reports a short line that is only a publication date or time,
// possibly labelled ("Updated 5:27 am CST, Wednesday, November 20, 2019").
func isDateline(text string) bool {
	lower := strings.ToLower(text)
	// A dateline needs a digit or "ago" (the test at the end); checking that
	// first skips the patterns for nearly every line of a page.
	if !strings.ContainsAny(text, "0123456789") && !strings.Contains(lower, " ago") {
		return false
	}
	toks := dateTokens(text)
	dateish, other, digits, named := 0, 0, 0, 0
	for _, t := range toks {
		if t == "" {
			continue
		}
		switch {
		case isMonthWord(t):
			dateish++
			named++
		case isDateWord(t):
			dateish++
			if t[0] >= '0' && t[0] <= '9' {
				digits++
			}
		default:
			other++
		}
	}
	strong := named > 0 || rxClock.MatchString(text) || rxNumericDate.MatchString(text) || strings.Contains(lower, " ago")
	if !strong || (digits == 0 && !strings.Contains(lower, " ago")) {
		return false
	}
	if rxDatelineStart.MatchString(text) {
		return other <= 8
	}
	return dateish >= 2 && other <= 1
}

// isByline reports a short author line.
func isByline(text, norm string, authors []string) bool {
	t := strings.TrimSpace(text)
	if rxBylineStart.MatchString(t) && !strings.HasSuffix(t, ".") && words(t) <= 15 {
		return true
	}
	for _, a := range authors {
		if norm == a {
			return true
		}
		// "Jane Doe, Associated Press": a person's name (two words or more)
		// followed by a few words, not a sentence.
		if strings.Contains(a, " ") && strings.HasPrefix(norm, a+" ") && words(norm[len(a):]) <= 5 && !endsSentence(text) {
			return true
		}
	}
	return false
}

// gatedRegexp is a case-insensitive regexp behind a cheap necessary
// condition: the lower-cased text must contain one of words, or the regexp
// cannot match. Most blocks contain none, and skip the regexp engine, which
// took a third of a crawl's CPU time on these two alternations.
type gatedRegexp struct {
	rx    *regexp.Regexp
	words []string
}

// gate pairs rx with words, one of which every match of rx contains
// (lower-cased). TestGatesAgreeWithRegexps holds the two together.
func gate(rx *regexp.Regexp, words ...string) gatedRegexp { return gatedRegexp{rx, words} }

// MatchString reports whether s contains a match of the regexp.
func (g gatedRegexp) MatchString(s string) bool {
	// (?i) also folds the long s (ſ) to s; strings.ToLower does not.
	lower := strings.ReplaceAll(strings.ToLower(s), "ſ", "s")
	for _, w := range g.words {
		if strings.Contains(lower, w) {
			return g.rx.MatchString(s)
		}
	}
	return false
}

// gluedCreditMaxBytes bounds a match of rxGluedCredit, which ends the text:
// at most 84 runes of at most 4 bytes.
const gluedCreditMaxBytes = 84 * 4

// tail returns the shortest suffix of s, starting on a rune, that holds its
// last n bytes.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[i:]
}
