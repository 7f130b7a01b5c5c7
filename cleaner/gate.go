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
	idx   *gateIndex
}

// gateIndex finds the words of all the parts in one pass over the text:
// it looks up each pair of bytes in a bit set of the words' first two
// bytes, and compares the words only where one starts.
type gateIndex struct {
	pairs [1 << 16 / 64]uint64     // bit set of first byte pairs
	words map[uint16][]gateIndexed // words by their first byte pair
	bytes []gateIndexed            // one-byte words
}

// gateIndexed is a word of part number part.
type gateIndexed struct {
	word string
	part int
}

// pair is the first two bytes of s, as gateIndex keys them.
func pair(s string) uint16 { return uint16(s[0])<<8 | uint16(s[1]) }

// newGateIndex indexes the words of parts (at most 64 parts).
func newGateIndex(parts []gatedPart) *gateIndex {
	if len(parts) > 64 {
		panic("gate: more than 64 parts")
	}
	x := &gateIndex{words: map[uint16][]gateIndexed{}}
	for i, p := range parts {
		for _, w := range p.words {
			switch len(w) {
			case 0:
				panic("gate: empty word")
			case 1:
				x.bytes = append(x.bytes, gateIndexed{w, i})
				continue
			}
			k := pair(w)
			x.pairs[k/64] |= 1 << (k % 64)
			x.words[k] = append(x.words[k], gateIndexed{w, i})
		}
	}
	return x
}

// hits returns the set of parts one of whose words lower contains.
func (x *gateIndex) hits(lower string) uint64 {
	var hit uint64
	for _, e := range x.bytes {
		if strings.IndexByte(lower, e.word[0]) >= 0 {
			hit |= 1 << e.part
		}
	}
	for i := 0; i+1 < len(lower); i++ {
		k := uint16(lower[i])<<8 | uint16(lower[i+1])
		if x.pairs[k/64]&(1<<(k%64)) == 0 {
			continue
		}
		for _, e := range x.words[k] {
			if hit&(1<<e.part) == 0 && strings.HasPrefix(lower[i:], e.word) {
				hit |= 1 << e.part
			}
		}
	}
	return hit
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
	return gatedRegexp{regexp.MustCompile(flags + "(" + strings.Join(srcs, "|") + ")"), parts, newGateIndex(parts)}
}

// gate pairs rx with words, one of which every match of rx contains
// (lower-cased).
func gate(rx *regexp.Regexp, words ...string) gatedRegexp {
	parts := []gatedPart{{src: rx.String(), rx: rx, words: words}}
	return gatedRegexp{rx, parts, newGateIndex(parts)}
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
	hit := g.idx.hits(lower)
	for i := range g.parts {
		if hit&(1<<i) != 0 && g.parts[i].rx.MatchString(s) {
			return true
		}
	}
	return false
}
