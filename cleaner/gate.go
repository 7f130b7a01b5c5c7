package cleaner

import (
	"regexp"
	"strings"
)

var (
	// rxCaption matches photo captions and credits.
	rxCaption = gateParts("(?i)",
		part(`\bcredit:|\bcredits:|\bphoto credit|\bimage credit`, "credit"),
		part(`\bphoto:|\bphotos:|\bphotograph:|\bpicture:|\bimage:|\(image:`, "photo:", "photos:", "photograph:", "picture:", "image:"),
		part(`\bphoto by\b|\bphotograph by\b|\bimage by\b|\bpicture by\b`, "photo by", "photograph by", "image by", "picture by"),
		part(`\bgetty images?\b|\bafp via getty\b|/getty\b|\bgetty$|\bvia getty\b`, "getty"),
		part(`\bor licensors\b`, "or licensors"),
		part(`\bap photo\b|\bap images\b`, "ap photo", "ap images"),
		part(`\breuters/|/reuters\b`, "reuters/", "/reuters"),
		part(`/afp\b|\bafp/`, "/afp", "afp/"),
		part(`\bshutterstock\b|\bistock\b`, "shutterstock", "istock"),
		part(`\bepa-efe\b|\bfile photo\b`, "epa-efe", "file photo"),
		part(`^\W*(photo |image |picture )?courtesy\b|\((photo |image |picture )?courtesy\b`, "courtesy"),
	)
	// rxPromo matches, anywhere in a short block, a call to follow, subscribe
	// or click, a copyright line or a reading-time note. "Click here" is a
	// call when it opens a sentence; inside one ("to download it, click
	// here") it is the author's link.
	rxPromo = gateParts("(?i)",
		part(`\bfollow (us|him|her|me|them|@?[\pL.]+) (on|at) (twitter|facebook|instagram|linkedin|youtube)`, "follow "),
		part(`(^\W*|[.!?]["'”’)\]]*\s+["'“‘(\[]*)click here\b`, "click here"),
		part(`\bsign[ -]?up (for|to) (our|the)\b|^\W*sign[ -]?up (for|to)\b.{0,40}\b(newsletter|updates|e-?mails?)\b`, "sign"),
		part(`\bsubscribe to (our|the)\b`, "subscribe to "),
		part(`\b(get|download) (our|the) app\b`, "our app", "the app"),
		part(`^\W*if you (enjoyed|liked|value) (this|our)\b`, "if you "),
		part(`\baffiliate links?\b|\baffiliate\b.{0,30}\blinks?\b`, "affiliate"),
		part(`\bclick to tweet\b`, "click to tweet"),
		part(`\ball rights reserved\b`, "all rights reserved"),
		part(`\bcopyright\s*(©|@|\(c\)|\d{4})|©`, "copyright", "©"),
		part(`^\W*\d+\s*(min|mins|minute|minutes|minuto|minutos|minuten)\b.{0,12}\bread`, "min"),
		part(`\bread(ing)? time\b`, "read time", "reading time"),
		part(`\btempo de leitura\b|\blesezeit\b`, "tempo de leitura", "lesezeit"),
		part(`^\W*(additional |with )?reporting by\b|^\W*(editing|edited|compiled|produced) by\b|^\W*sources?\s*:`,
			"reporting by", "editing by", "edited by", "compiled by", "produced by", "source"),
	)
)

// gatedRegexp is a regexp split into alternatives, each behind a cheap
// necessary condition: the lower-cased text must contain one of its words,
// or the alternative cannot match. Most blocks contain none, and skip the
// regexp engine, which took a third of a crawl's CPU time on these two
// alternations; a block that holds "read" or "sign" runs only the small
// alternative that needs it, not the whole alternation.
type gatedRegexp struct {
	rx    *regexp.Regexp // all the alternatives in one: what MatchString answers
	parts []gatedPart
}

// gatedPart is one alternative of a gatedRegexp and its words.
type gatedPart struct {
	src   string
	rx    *regexp.Regexp
	words []string
}

// part is an alternative of gateParts: its pattern, and words one of which
// every match contains (lower-cased).
func part(src string, words ...string) gatedPart { return gatedPart{src: src, words: words} }

// gateParts compiles the alternatives, each with flags, and their union.
// TestGatesAgreeWithRegexps holds the parts and the union together.
func gateParts(flags string, parts ...gatedPart) gatedRegexp {
	srcs := make([]string, len(parts))
	for i := range parts {
		parts[i].rx = regexp.MustCompile(flags + parts[i].src)
		srcs[i] = parts[i].src
	}
	return gatedRegexp{regexp.MustCompile(flags + "(" + strings.Join(srcs, "|") + ")"), parts}
}

// gate pairs rx with words, one of which every match of rx contains
// (lower-cased).
func gate(rx *regexp.Regexp, words ...string) gatedRegexp {
	return gatedRegexp{rx, []gatedPart{{src: rx.String(), rx: rx, words: words}}}
}

// gateLower is the form of s the gates look in: lower-cased, with the long
// s (ſ) as s, since (?i) folds it to s and strings.ToLower does not.
func gateLower(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ſ", "s")
}

// MatchString reports whether s contains a match of the regexp.
func (g gatedRegexp) MatchString(s string) bool { return g.matchLower(s, gateLower(s)) }

// matchLower is MatchString with gateLower(s) at hand.
func (g gatedRegexp) matchLower(s, lower string) bool {
	for i := range g.parts {
		p := &g.parts[i]
		for _, w := range p.words {
			if strings.Contains(lower, w) {
				if p.rx.MatchString(s) {
					return true
				}
				break
			}
		}
	}
	return false
}
