package dedup

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// Deduper decides whether documents are new stories or copies of stored ones.
// It holds its configuration, a bounded cache of fingerprints and counters,
// so one Deduper may serve many goroutines; serialising decisions per story
// is the caller's job (see Index).
type Deduper struct {
	cfg   Config
	cache *fpCache
	count *counters
	now   func() time.Time
}

// New returns a Deduper. Zero fields of cfg take their defaults; an invalid
// cfg should be rejected earlier with cfg.Validate.
func New(cfg Config) *Deduper {
	cfg = cfg.WithDefaults()
	return &Deduper{cfg: cfg, cache: &fpCache{max: max(cfg.Cache, 0)}, count: &counters{}, now: time.Now}
}

// WithClock returns a Deduper that shares d's cache and counters but reads
// the time (for Config.Window) from now.
func (d *Deduper) WithClock(now func() time.Time) *Deduper {
	e := *d
	e.now = now
	return &e
}

type counters struct {
	decisions, nominated, verified, textsRead, stopKeys atomic.Int64
}

// Stats counts what Decide did since New.
type Stats struct {
	// Decisions is the number of Decide calls that reached the index.
	Decisions int64
	// Nominated is the number of candidates the index nominated, Verified
	// how many of them were compared (at most MaxCandidates per decision),
	// and TextsRead how many texts were read for that (the others came from
	// the fingerprint cache).
	Nominated, Verified, TextsRead int64
	// StopKeys is the number of lookup keys that nominated nothing because
	// more than KeyLimit stories share them.
	StopKeys int64
	// CacheHits and CacheMisses count fingerprint cache lookups.
	CacheHits, CacheMisses int64
}

// CacheHitRate is CacheHits over all cache lookups (0 when there were none).
func (s Stats) CacheHitRate() float64 {
	if n := s.CacheHits + s.CacheMisses; n > 0 {
		return float64(s.CacheHits) / float64(n)
	}
	return 0
}

// Stats returns the counters of d (shared with the Deduper it was made from
// by WithClock).
func (d *Deduper) Stats() Stats {
	c := d.count
	return Stats{Decisions: c.decisions.Load(), Nominated: c.nominated.Load(), Verified: c.verified.Load(),
		TextsRead: c.textsRead.Load(), StopKeys: c.stopKeys.Load(),
		CacheHits: d.cache.hits.Load(), CacheMisses: d.cache.misses.Load()}
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
	fp := d.fingerprintScratch(withoutSiteParagraphs(doc.Text, doc.Site), sc)
	dec := Decision{
		Simhash:     fp.simhash,
		ContentHash: fp.content,
		Keys:        fp.keys(d.cfg.Bands),
		Words:       fp.words,
	}
	storedStory, stored := int64(0), false
	if doc.URL != "" {
		var (
			storedHash uint64
			err        error
		)
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
	d.count.decisions.Add(1)
	q := Query{KeyLimit: max(d.cfg.KeyLimit, 0)}
	if d.cfg.Window > 0 {
		q.Since = d.now().Add(-d.cfg.Window)
		dec.WindowStart = q.Since
	}
	if ok, err := d.exactCopy(ctx, idx, q, &fp, doc, &dec); err != nil {
		return Decision{}, err
	} else if ok {
		return dec, nil
	}
	q.Keys = dec.Keys
	var nominated int
	cands, fps, err := d.nominateCount(ctx, idx, q, &fp, &nominated)
	if err != nil {
		return Decision{}, err
	}
	v, err := d.verify(ctx, &fp, cands, fps)
	if err != nil {
		return Decision{}, err
	}
	if v.best == nil {
		d.remember(&fp)
		dec.Action, dec.Canonical, dec.Similarity = ActionNew, true, 1
		dec.Reason = fmt.Sprintf("new story: %d stored stories nominated, none verified", nominated)
		if stored {
			dec.Reason += fmt.Sprintf(" (this URL was stored under story %d with another body)", storedStory)
		}
		return dec, nil
	}
	d.copyDecision(&dec, &fp, doc, v)
	return dec, nil
}

// Exact-copy sanity check: a story found by the document's content key
// holds the same normalised body in some version, so its canonical needs
// only to share this much with the document (containment, or the opening
// paragraph), not full verification; it keeps an index that matches keys
// loosely from merging an unrelated text.
const (
	exactCopyContainment = 0.3
	exactCopyOpening     = 0.5
)

// exactCopy decides dec as a copy of the story holding doc's exact
// normalised body, if the content key nominates one, and reports whether
// it did.
func (d *Deduper) exactCopy(ctx context.Context, idx Index, q Query, fp *fingerprint, doc wirecrawl.Document, dec *Decision) (bool, error) {
	q.Keys = []uint64{contentKey(fp.content)}
	cands, fps, err := d.nominate(ctx, idx, q, fp)
	if err != nil || fp.words == 0 {
		return false, err
	}
	for i := range cands {
		cfp := fps[i]
		m := d.compare(fp, cfp)
		if !m.Verified && m.Containment < exactCopyContainment && m.Opening < exactCopyOpening {
			continue
		}
		c := cands[i]
		dec.Action, dec.StoryID = ActionCopy, c.StoryID
		dec.Similarity, dec.Containment = m.Resemblance, m.Containment
		dec.Distance = m.Distance
		dec.Reason = fmt.Sprintf("exact copy of a stored version of story %d (same normalised body); containment %.2f with its canonical", c.StoryID, m.Containment)
		dec.Canonical = d.replaces(fp, c, doc, cfp.words)
		return true, nil
	}
	return false, nil
}

// verified is what verify found among the nominated candidates.
type verified struct {
	best      *Candidate // the best verified match, nil if none
	match     Match      // best's comparison
	bestWords int        // best's canonical length
	strong    []int64    // stories verified strongly enough to merge
}

// verify compares fp with every candidate and picks the best match; see
// better. Only strong matches (containment >= StrongContainment) are kept
// for merging: merging is transitive.
func (d *Deduper) verify(ctx context.Context, fp *fingerprint, cands []Candidate, fps []*fingerprint) (verified, error) {
	var v verified
	for i := range cands {
		if err := ctx.Err(); err != nil {
			return verified{}, fmt.Errorf("dedup: %w", err)
		}
		cfp := fps[i]
		m := d.compare(fp, cfp)
		if !m.Verified {
			continue
		}
		if min(m.Containment, m.Unquoted) >= d.cfg.StrongContainment {
			v.strong = append(v.strong, cands[i].StoryID)
		}
		if v.best == nil || better(m, cands[i].StoryID, v.match, v.best.StoryID) {
			v.best, v.match, v.bestWords = &cands[i], m, cfp.words
		}
	}
	v.strong = mergeable(fp, v.strong)
	return v, nil
}

// copyDecision fills dec as a copy of v.best: the stories to merge, the
// scores, whether doc becomes canonical, and the reason.
func (d *Deduper) copyDecision(dec *Decision, fp *fingerprint, doc wirecrawl.Document, v verified) {
	best, bestM := v.best, v.match
	dec.Action, dec.StoryID = ActionCopy, best.StoryID
	if d.cfg.mergeStories {
		for _, id := range v.strong {
			if id != best.StoryID {
				dec.Merge = append(dec.Merge, id)
			}
		}
		slices.Sort(dec.Merge)
		dec.Merge = slices.Compact(dec.Merge)
	}
	dec.Similarity, dec.Distance, dec.Containment = bestM.Resemblance, bestM.Distance, bestM.Containment
	dec.Canonical = d.replaces(fp, *best, doc, v.bestWords)
	if dec.Canonical {
		d.remember(fp)
	}
	dec.Reason = fmt.Sprintf("copy of story %d: simhash distance %d, containment %.2f, opening %.2f (%s)",
		best.StoryID, bestM.Distance, bestM.Containment, bestM.Opening, bestM.Why)
	if dec.Canonical {
		dec.Reason += "; more complete, becomes the canonical version"
	}
	if len(dec.Merge) > 0 {
		dec.Reason += fmt.Sprintf("; also verified against stories %v, which are merged into it", dec.Merge)
	}
}

// nominate asks idx for the stories sharing q's keys, keeps the
// MaxCandidates best by a score the index alone gives (keys matched, then
// simhash distance to fp, then the older story), and returns them with
// their fingerprints: from the cache, or from their texts, read only for
// the stories not cached.
func (d *Deduper) nominate(ctx context.Context, idx Index, q Query, fp *fingerprint) ([]Candidate, []*fingerprint, error) {
	var n int
	return d.nominateCount(ctx, idx, q, fp, &n)
}

func (d *Deduper) nominateCount(ctx context.Context, idx Index, q Query, fp *fingerprint, nominated *int) ([]Candidate, []*fingerprint, error) {
	nom, err := idx.Nominate(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("dedup: lookup: %w", err)
	}
	d.count.stopKeys.Add(int64(nom.StopKeys))
	cands := nom.Candidates
	*nominated = len(cands)
	d.count.nominated.Add(int64(len(cands)))
	if len(cands) > d.cfg.MaxCandidates {
		slices.SortFunc(cands, func(a, b Candidate) int {
			if a.Matched != b.Matched {
				return b.Matched - a.Matched
			}
			if da, db := Distance(fp.simhash, a.Simhash), Distance(fp.simhash, b.Simhash); da != db {
				return da - db
			}
			return cmp.Compare(a.StoryID, b.StoryID)
		})
		cands = cands[:d.cfg.MaxCandidates]
		slices.SortFunc(cands, func(a, b Candidate) int { return cmp.Compare(a.StoryID, b.StoryID) })
	}
	d.count.verified.Add(int64(len(cands)))
	fps := make([]*fingerprint, len(cands))
	var missing []int64
	for i := range cands {
		if f, ok := d.cache.get(cands[i].ContentHash); ok {
			fps[i] = f
		} else {
			missing = append(missing, cands[i].StoryID)
		}
	}
	if len(missing) == 0 {
		return cands, fps, nil
	}
	texts, err := idx.Texts(ctx, missing)
	if err != nil {
		return nil, nil, fmt.Errorf("dedup: candidate texts: %w", err)
	}
	d.count.textsRead.Add(int64(len(texts)))
	kept := cands[:0]
	keptFPs := fps[:0]
	for i := range cands {
		f := fps[i]
		if f == nil {
			text, ok := texts[cands[i].StoryID]
			if !ok {
				continue // gone since it was nominated
			}
			v := d.fingerprint(text)
			f = &v
			d.cache.put(f)
			cands[i].Text = text
		}
		kept = append(kept, cands[i])
		keptFPs = append(keptFPs, f)
	}
	return kept, keptFPs, nil
}

// remember caches fp's comparison sets (fp's shingles live in scratch
// buffers, which the cache entry does not keep): the
// document becomes a canonical text, so the next copy of its story finds it
// without reading it back. Were the decision not stored, the entry would
// only go unused: a fingerprint depends on nothing but the text.
func (d *Deduper) remember(fp *fingerprint) {
	if d.cache.max <= 0 {
		return
	}
	fp.prepare() // new memory: sh32 and op32 do not live in scratch
	c := *fp
	d.cache.put(&c)
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
		return MoreComplete(fp.words, length)
	}
}
