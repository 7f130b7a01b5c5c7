package dedup

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/wirecrawl/wirecrawl"
)

// Deduper decides whether documents are new stories or copies of stored ones.
// It holds only its configuration, so one Deduper may serve many goroutines;
// serialising decisions per story is the caller's job (see Index).
type Deduper struct {
	cfg   Config
	cache *fpCache
}

// New returns a Deduper. Zero fields of cfg take their defaults; an invalid
// cfg should be rejected earlier with cfg.Validate.
func New(cfg Config) *Deduper {
	return &Deduper{cfg: cfg.WithDefaults(), cache: &fpCache{max: 2048}}
}

// Config returns the effective configuration, defaults filled in.
func (d *Deduper) Config() Config { return d.cfg }

// Fingerprint is the public summary of a body's fingerprint.
type Fingerprint struct {
	// Simhash is the 64-bit simhash of the body's shingles.
	Simhash uint64
	// ContentHash identifies the exact normalised body.
	ContentHash uint64
	// Words is the number of normalised words.
	Words int
	// Keys are the index keys of the body (content, simhash bands, signals).
	Keys []uint64
}

// Fingerprint normalises text (datelines, bylines and editor's notes
// stripped) and returns its fingerprint and index keys.
func (d *Deduper) Fingerprint(text string) Fingerprint {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	fp := d.fingerprintScratch(text, sc)
	return Fingerprint{Simhash: fp.simhash, ContentHash: fp.content, Words: fp.words,
		Keys: fp.keys(d.cfg.Bands)}
}

// scratch holds the buffers of one fingerprinting, reused across calls so
// that fingerprinting does not feed the garbage collector.
type scratch struct {
	buf    []byte
	tokens []uint64
	sh     []uint64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// fingerprintScratch fingerprints text in sc's buffers: the result's
// shingles live in sc and are valid until sc is reused.
func (d *Deduper) fingerprintScratch(text string, sc *scratch) fingerprint {
	var n normalized
	n, sc.buf = normalizeInto(text, sc.buf, sc.tokens)
	sc.tokens = n.tokens
	fp := fingerprintInto(n, d.cfg.ShingleSize, d.cfg.LedeKeys, d.cfg.SketchKeys, sc.sh)
	sc.sh = fp.shingles[:0]
	return fp
}

func (d *Deduper) fingerprint(text string) fingerprint {
	n, _ := normalize(text, nil)
	return fingerprintOf(n, d.cfg.ShingleSize, d.cfg.LedeKeys, d.cfg.SketchKeys)
}

// Match is the comparison of two bodies.
type Match struct {
	// Distance is the simhash Hamming distance.
	Distance int
	// Containment is the share of the smaller text's shingles found in the larger.
	Containment float64
	// Resemblance is the Jaccard similarity of the shingle sets.
	Resemblance float64
	// Opening is the larger share of either text's opening paragraph found
	// in the other.
	Opening float64
	// Exact is true when the normalised bodies are identical.
	Exact bool
	// Verified is true when the two bodies are versions of one story.
	Verified bool
	// Why says which rule matched or failed.
	Why string
}

// Compare compares two bodies as Decide compares a document with a stored
// story's canonical text.
func (d *Deduper) Compare(a, b string) Match {
	fa, fb := d.fingerprint(a), d.fingerprint(b)
	return d.compare(&fa, &fb)
}

func (d *Deduper) compare(a, b *fingerprint) Match {
	a.prepare()
	b.prepare()
	m := Match{Distance: Distance(a.simhash, b.simhash)}
	if a.content == b.content {
		m.Exact, m.Verified, m.Containment, m.Resemblance, m.Opening = true, true, 1, 1, 1
		m.Why = "exact copy of the normalised body"
		return m
	}
	la, lb := len(a.shingles), len(b.shingles)
	if la == 0 || lb == 0 {
		m.Why = "empty body"
		return m
	}
	common := intersect(a.shingles, b.shingles)
	m.Containment = float64(common) / float64(min(la, lb))
	m.Resemblance = float64(common) / float64(la+lb-common)
	oa, ob := 0.0, 0.0
	if len(a.opening) > 0 {
		oa = float64(intersect(a.opening, b.shingles)) / float64(len(a.opening))
	}
	if len(b.opening) > 0 {
		ob = float64(intersect(b.opening, a.shingles)) / float64(len(b.opening))
	}
	m.Opening = max(oa, ob)
	c := d.cfg
	switch {
	case min(a.words, b.words) < c.MinWords:
		m.Why = fmt.Sprintf("too short to compare (%d words)", min(a.words, b.words))
	case m.Containment >= c.StrongContainment:
		m.Verified = true
		m.Why = fmt.Sprintf("containment %.2f >= %.2f", m.Containment, c.StrongContainment)
	case m.Containment >= c.Containment && m.Opening >= c.LedeContainment:
		m.Verified = true
		m.Why = fmt.Sprintf("containment %.2f >= %.2f and same opening (%.2f)", m.Containment, c.Containment, m.Opening)
	case m.Containment >= c.Containment && c.NearDistance >= 0 && m.Distance <= c.NearDistance:
		m.Verified = true
		m.Why = fmt.Sprintf("containment %.2f >= %.2f and simhash distance %d <= %d", m.Containment, c.Containment, m.Distance, c.NearDistance)
	default:
		m.Why = fmt.Sprintf("containment %.2f, opening %.2f, distance %d: below thresholds", m.Containment, m.Opening, m.Distance)
	}
	return m
}

// Decide decides what doc is with respect to the stories in idx: a new story,
// a copy of one (possibly its new canonical version), or an unchanged refetch.
// It reads idx only; the caller stores doc with the returned Decision (its
// Keys under the story) in the same transaction, so that two versions of one
// story deciding at once cannot both become new stories.
func (d *Deduper) Decide(ctx context.Context, idx Index, doc wirecrawl.Document) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("dedup: %w", err)
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	fp := d.fingerprintScratch(doc.Text, sc)
	dec := Decision{
		Simhash:     fp.simhash,
		ContentHash: fp.content,
		Keys:        fp.keys(d.cfg.Bands),
		Words:       fp.words,
	}
	storedStory, storedHash, stored := int64(0), uint64(0), false
	if doc.URL != "" {
		var err error
		storedStory, storedHash, stored, err = idx.StoredURL(ctx, doc.URL)
		if err != nil {
			return Decision{}, fmt.Errorf("dedup: stored url %s: %w", doc.URL, err)
		}
		if stored && storedHash == fp.content {
			dec.Action, dec.StoryID, dec.Similarity, dec.Containment = ActionUnchanged, storedStory, 1, 1
			dec.Reason = "unchanged: this URL is stored with the same body"
			return dec, nil
		}
	}
	// Exact copies short-circuit on the content key.
	ck := contentKey(fp.content)
	cands, err := idx.Lookup(ctx, []uint64{ck})
	if err != nil {
		return Decision{}, fmt.Errorf("dedup: lookup: %w", err)
	}
	if fp.words > 0 {
		// The story holding this exact body (a version, not necessarily
		// the canonical, so full verification is not required). A sanity
		// check against the canonical remains, so that an index that
		// matches keys loosely (MemoryIndex compares 32-bit tags) cannot
		// merge an unrelated text.
		for i := range cands {
			cfp := d.cache.get(cands[i].Text, func() fingerprint { return d.fingerprint(cands[i].Text) })
			if m := d.compare(&fp, cfp); m.Verified || m.Containment >= 0.3 || m.Opening >= 0.5 {
				c := cands[i]
				dec.Action, dec.StoryID = ActionCopy, c.StoryID
				dec.Similarity, dec.Containment = m.Resemblance, m.Containment
				dec.Distance = m.Distance
				dec.Reason = fmt.Sprintf("exact copy of a stored version of story %d (same normalised body); containment %.2f with its canonical", c.StoryID, m.Containment)
				dec.Canonical = d.replaces(&fp, c, doc, cfp.words)
				return dec, nil
			}
		}
	}
	cands, err = idx.Lookup(ctx, dec.Keys)
	if err != nil {
		return Decision{}, fmt.Errorf("dedup: lookup: %w", err)
	}
	var best *Candidate
	var bestM Match
	bestWords := 0
	var verified []int64
	nominated := len(cands)
	if len(cands) > d.cfg.MaxCandidates {
		// Verify the nearest by simhash: a true copy is rarely far, and
		// keys shared by many unrelated stories must not cost a full
		// comparison each.
		slices.SortStableFunc(cands, func(a, b Candidate) int {
			if da, db := Distance(fp.simhash, a.Simhash), Distance(fp.simhash, b.Simhash); da != db {
				return da - db
			}
			return cmp.Compare(a.StoryID, b.StoryID)
		})
		cands = cands[:d.cfg.MaxCandidates]
	}
	for i := range cands {
		if err := ctx.Err(); err != nil {
			return Decision{}, fmt.Errorf("dedup: %w", err)
		}
		cfp := d.cache.get(cands[i].Text, func() fingerprint { return d.fingerprint(cands[i].Text) })
		m := d.compare(&fp, cfp)
		if !m.Verified {
			continue
		}
		if m.Containment >= d.cfg.StrongContainment {
			// Only strong matches link stories: merging is transitive.
			verified = append(verified, cands[i].StoryID)
		}
		if best == nil || better(m, cands[i].StoryID, bestM, best.StoryID) {
			best, bestM, bestWords = &cands[i], m, cfp.words
		}
	}
	if best == nil {
		dec.Action, dec.Canonical, dec.Similarity = ActionNew, true, 1
		dec.Reason = fmt.Sprintf("new story: %d stored stories nominated, none verified", nominated)
		if stored {
			dec.Reason += fmt.Sprintf(" (this URL was stored under story %d with another body)", storedStory)
		}
		return dec, nil
	}
	dec.Action, dec.StoryID = ActionCopy, best.StoryID
	if d.cfg.mergeStories {
		for _, id := range verified {
			if id != best.StoryID {
				dec.Merge = append(dec.Merge, id)
			}
		}
		slices.Sort(dec.Merge)
		dec.Merge = slices.Compact(dec.Merge)
	}
	dec.Similarity, dec.Distance, dec.Containment = bestM.Resemblance, bestM.Distance, bestM.Containment
	dec.Canonical = d.replaces(&fp, *best, doc, bestWords)
	dec.Reason = fmt.Sprintf("copy of story %d: simhash distance %d, containment %.2f, opening %.2f (%s)",
		best.StoryID, bestM.Distance, bestM.Containment, bestM.Opening, bestM.Why)
	if dec.Canonical {
		dec.Reason += "; more complete, becomes the canonical version"
	}
	if len(dec.Merge) > 0 {
		dec.Reason += fmt.Sprintf("; also verified against stories %v, which are merged into it", dec.Merge)
	}
	return dec, nil
}

// better orders verified matches: higher containment, then resemblance,
// then the older story (smaller id), so the choice does not depend on the
// order candidates come back in.
func better(m Match, id int64, o Match, oid int64) bool {
	if m.Containment != o.Containment {
		return m.Containment > o.Containment
	}
	if m.Resemblance != o.Resemblance {
		return m.Resemblance > o.Resemblance
	}
	return id < oid
}

// replaces reports whether doc, a verified copy, becomes the canonical
// version of story c under the configured policy. canonWords is the
// canonical's normalised length, or -1 when not yet computed.
func (d *Deduper) replaces(fp *fingerprint, c Candidate, doc wirecrawl.Document, canonWords int) bool {
	switch d.cfg.Canonical {
	case PolicyFirst:
		return false
	case PolicyLatest:
		return !doc.Published.IsZero() && doc.Published.After(c.Published)
	default:
		length := canonWords
		if length < 0 {
			length = c.Length
			if c.Text != "" {
				n, _ := normalize(c.Text, nil)
				length = len(n.tokens)
			}
		}
		return fp.words > length
	}
}
