package dedup

import (
	"fmt"
	"strings"
	"time"
)

// Canonical policies: which version of a story is its canonical text.
const (
	// PolicyMostComplete makes the longest version (in normalised words) the
	// canonical one: a later, longer update replaces a shorter original.
	PolicyMostComplete = "most_complete"
	// PolicyFirst keeps the first version stored as canonical.
	PolicyFirst = "first"
	// PolicyLatest makes the most recently published version canonical.
	PolicyLatest = "latest"
)

// Config configures dedup. Its zero value works: every zero field takes the
// default documented on it (the defaults were measured; see doc.go).
type Config struct {
	// ShingleSize is the number of words per shingle used for containment,
	// the simhash features and the sketch keys. Default 3.
	ShingleSize int `yaml:"shingle_size"`
	// Bands is the number of simhash band keys (rotating 32-bit windows of
	// the 64-bit fingerprint, band number folded into each key). Default 4.
	Bands int `yaml:"bands"`
	// SketchKeys is how many bottom-k shingle hashes become lookup keys, so
	// that trimmed and reworded copies whose simhash moved far are still
	// nominated. Default 4.
	SketchKeys int `yaml:"sketch_keys"`
	// LedeKeys is how many opening paragraphs give a lookup key each. Default 2.
	LedeKeys int `yaml:"lede_keys"`
	// Containment is the share of the smaller text's shingles that must be
	// found in the larger one for a match when the opening paragraphs agree
	// (or the simhash distance is at most NearDistance). Default 0.55.
	Containment float64 `yaml:"containment"`
	// StrongContainment is the containment that is enough on its own, when
	// the opening paragraphs differ (a rewritten lede). Default 0.8.
	StrongContainment float64 `yaml:"strong_containment"`
	// LedeContainment is the share of one version's opening paragraph that
	// must be found in the other for the openings to agree. Default 0.8.
	LedeContainment float64 `yaml:"lede_containment"`
	// NearDistance is the simhash Hamming distance at or below which two
	// texts count as near-identical (then Containment suffices). Default 3;
	// -1 disables.
	NearDistance int `yaml:"near_distance"`
	// MaxCandidates is how many nominated stories are verified at most
	// (their texts read unless cached): those sharing the most keys, then
	// the nearest by simhash. Default 16.
	MaxCandidates int `yaml:"max_candidates"`
	// KeyLimit: an index key that more than KeyLimit stories share (a
	// boilerplate sentence, a formulaic lede) stops nominating candidates,
	// like a stop word; such keys are counted (Stats.StopKeys). It bounds
	// the cost of a lookup however large the index grows. Default 16; -1
	// for no limit.
	KeyLimit int `yaml:"key_limit"`
	// Window: only stories first seen within Window before the decision
	// are candidates (a syndicated copy runs within days of its original).
	// Default 720h (30 days); negative for no limit.
	Window time.Duration `yaml:"window"`
	// Cache is how many verified stories' fingerprints are kept in memory,
	// so that a story nominated again is verified without reading its text
	// (hit rate in Stats). Default 32768 (about 2.7 KB each, some 90 MB when
	// full: a few days of a 100-outlet crawl); -1 turns it off.
	Cache int `yaml:"cache"`
	// MinWords: texts with fewer normalised words are only merged as exact
	// copies. Default 12.
	MinWords int `yaml:"min_words"`
	// Canonical is the canonical policy: most_complete (default), first or latest.
	Canonical string `yaml:"canonical"`
	// NoMerge turns off merging: by default, when a document verifies against
	// several stories, they are versions of one story that arrived before
	// anything linked them, and Decision.Merge asks the store to merge them.
	NoMerge bool `yaml:"no_merge"`
	// mergeStories is !NoMerge (set by WithDefaults).
	mergeStories bool
}

// Defaults of Config, measured on the evaluation corpora (see doc.go).
const (
	DefaultShingleSize       = 3
	DefaultBands             = 4
	DefaultSketchKeys        = 4
	DefaultLedeKeys          = 2
	DefaultContainment       = 0.55
	DefaultStrongContainment = 0.8
	DefaultLedeContainment   = 0.8
	DefaultNearDistance      = 3
	DefaultMinWords          = 12
	DefaultMaxCandidates     = 16
	DefaultKeyLimit          = 16
	DefaultWindow            = 30 * 24 * time.Hour
	DefaultCache             = 32768
)

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.ShingleSize == 0 {
		c.ShingleSize = DefaultShingleSize
	}
	if c.Bands == 0 {
		c.Bands = DefaultBands
	}
	if c.SketchKeys == 0 {
		c.SketchKeys = DefaultSketchKeys
	}
	if c.LedeKeys == 0 {
		c.LedeKeys = DefaultLedeKeys
	}
	if c.Containment == 0 {
		c.Containment = DefaultContainment
	}
	if c.StrongContainment == 0 {
		c.StrongContainment = DefaultStrongContainment
	}
	if c.LedeContainment == 0 {
		c.LedeContainment = DefaultLedeContainment
	}
	if c.NearDistance == 0 {
		c.NearDistance = DefaultNearDistance
	}
	if c.MaxCandidates == 0 {
		c.MaxCandidates = DefaultMaxCandidates
	}
	if c.KeyLimit == 0 {
		c.KeyLimit = DefaultKeyLimit
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Cache == 0 {
		c.Cache = DefaultCache
	}
	if c.MinWords == 0 {
		c.MinWords = DefaultMinWords
	}
	if c.Canonical == "" {
		c.Canonical = PolicyMostComplete
	}
	c.mergeStories = !c.NoMerge
	return c
}

// Validate checks the configuration; an error starts with the bad key.
func (c Config) Validate() error {
	switch {
	case c.ShingleSize < 0 || c.ShingleSize > 16:
		return fmt.Errorf("shingle_size: must be between 1 and 16 (0 = default %d)", DefaultShingleSize)
	case c.Bands < 0 || c.Bands > 16:
		return fmt.Errorf("bands: must be between 1 and 16 (0 = default %d)", DefaultBands)
	case c.SketchKeys < 0 || c.SketchKeys > 64:
		return fmt.Errorf("sketch_keys: must be between 1 and 64 (0 = default %d)", DefaultSketchKeys)
	case c.LedeKeys < 0 || c.LedeKeys > 16:
		return fmt.Errorf("lede_keys: must be between 1 and 16 (0 = default %d)", DefaultLedeKeys)
	case c.Containment < 0 || c.Containment > 1:
		return fmt.Errorf("containment: must be between 0 and 1")
	case c.StrongContainment < 0 || c.StrongContainment > 1:
		return fmt.Errorf("strong_containment: must be between 0 and 1")
	case c.LedeContainment < 0 || c.LedeContainment > 1:
		return fmt.Errorf("lede_containment: must be between 0 and 1")
	case c.NearDistance < -1 || c.NearDistance > 64:
		return fmt.Errorf("near_distance: must be between -1 (off) and 64")
	case c.MaxCandidates < 0:
		return fmt.Errorf("max_candidates: must be >= 1 (0 = default %d)", DefaultMaxCandidates)
	case c.KeyLimit < -1:
		return fmt.Errorf("key_limit: must be >= 1, or -1 for no limit (0 = default %d)", DefaultKeyLimit)
	case c.Cache < -1:
		return fmt.Errorf("cache: must be >= 1, or -1 for none (0 = default %d)", DefaultCache)
	case c.MinWords < 0:
		return fmt.Errorf("min_words: must be >= 0")
	}
	switch strings.ToLower(c.Canonical) {
	case "", PolicyMostComplete, PolicyFirst, PolicyLatest:
	default:
		return fmt.Errorf("canonical: must be %s, %s or %s, not %q", PolicyMostComplete, PolicyFirst, PolicyLatest, c.Canonical)
	}
	return nil
}
