package dedup

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// MemoryIndex is an in-memory Index for tests, benchmarks and one-off runs.
// Its key tables are open-addressed arrays of 8-byte slots (a 32-bit key tag
// and a 32-bit story number), so a stored fingerprint costs about 40-60 bytes
// in the simhash band tables (Bands keys at 0.53-0.8 load). Canonical texts
// are held as given. It is safe for concurrent use.
type MemoryIndex struct {
	mu      sync.RWMutex
	stories []memStory
	byID    map[int64]int32
	urls    map[string]memURL
	bands   keyTable // simhash band keys
	signals keyTable // content, opening and sketch keys
	nextID  int64
	docs    int
}

type memStory struct {
	id        int64
	merged    int32 // index+1 of the story this one was merged into; 0 for none
	simhash   uint64
	length    int
	published time.Time
	firstSeen time.Time
	content   uint64
	text      string
}

type memURL struct {
	story int64
	hash  uint64
}

// NewMemoryIndex returns an empty index.
func NewMemoryIndex() *MemoryIndex {
	return &MemoryIndex{byID: map[int64]int32{}, urls: map[string]memURL{}}
}

// Lookup returns the stories having at least one of keys, each once, ordered
// by story id.
func (m *MemoryIndex) Lookup(ctx context.Context, keys []uint64) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory index: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.lookup(keys), nil
}

func (m *MemoryIndex) lookup(keys []uint64) []Candidate {
	nom := m.nominate(Query{Keys: keys})
	for i := range nom.Candidates {
		c := &nom.Candidates[i]
		c.Text = m.stories[m.byID[c.StoryID]].text
	}
	return nom.Candidates
}

// Nominate returns the stories sharing q's keys, without their text; see Index.
func (m *MemoryIndex) Nominate(ctx context.Context, q Query) (Nomination, error) {
	if err := ctx.Err(); err != nil {
		return Nomination{}, fmt.Errorf("memory index: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.nominate(q), nil
}

// Texts returns the canonical texts of stories ids; see Index.
func (m *MemoryIndex) Texts(ctx context.Context, ids []int64) (map[int64]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory index: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.texts(ids), nil
}

func (m *MemoryIndex) texts(ids []int64) map[int64]string {
	out := make(map[int64]string, len(ids))
	for _, id := range ids {
		if si, ok := m.byID[id]; ok && m.stories[si].merged == 0 {
			out[id] = m.stories[si].text
		}
	}
	return out
}

func (m *MemoryIndex) nominate(q Query) Nomination {
	var found [64]int32
	var nom Nomination
	keys := q.Keys
	// Touch every key's home slot first: the loads are independent, so the
	// CPU overlaps their cache misses instead of paying them one by one
	// (this keeps lookups in a 1M-fingerprint index close to a 10k one).
	var touch uint64
	for _, k := range keys {
		t := &m.signals
		if k&famMask == famBand {
			t = &m.bands
		}
		if len(t.slots) > 0 {
			touch += t.slots[t.pos(tagOf(k))]
		}
	}
	sink(touch)
	hits := found[:0]
	for _, k := range keys {
		t := &m.signals
		if k&famMask == famBand {
			t = &m.bands
		}
		n := len(hits)
		hits = t.find(k, hits)
		if q.KeyLimit > 0 {
			// stories, not entries: merged stories' entries count once
			for i := n; i < len(hits); i++ {
				hits[i] = m.root(hits[i])
			}
			slices.Sort(hits[n:])
			c := len(slices.Compact(hits[n:]))
			if c > q.KeyLimit {
				hits = hits[:n]
				nom.StopKeys++
				continue
			}
			hits = hits[:n+c]
		}
	}
	if len(hits) == 0 {
		return nom
	}
	for i, h := range hits {
		hits[i] = m.root(h)
	}
	slices.Sort(hits)
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j] == hits[i] {
			j++
		}
		s := &m.stories[hits[i]]
		if q.Since.IsZero() || !s.firstSeen.Before(q.Since) {
			nom.Candidates = append(nom.Candidates, Candidate{StoryID: s.id, Simhash: s.simhash, ContentHash: s.content,
				Length: s.length, Published: s.published, FirstSeen: s.firstSeen, Matched: j - i})
		}
		i = j
	}
	slices.SortFunc(nom.Candidates, func(a, b Candidate) int { return cmp.Compare(a.StoryID, b.StoryID) })
	return nom
}

// StoredURL reports the story url is stored under and its content hash.
func (m *MemoryIndex) StoredURL(ctx context.Context, url string) (int64, uint64, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, false, fmt.Errorf("memory index: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	u, ok := m.urls[url]
	return m.rootID(u.story), u.hash, ok, nil
}

// root follows merges from story index si to the story it now belongs to.
func (m *MemoryIndex) root(si int32) int32 {
	for m.stories[si].merged != 0 {
		si = m.stories[si].merged - 1
	}
	return si
}

func (m *MemoryIndex) rootID(id int64) int64 {
	si, ok := m.byID[id]
	if !ok {
		return id
	}
	return m.stories[m.root(si)].id
}

// StoryOf returns the story that story id now belongs to: id itself, or the
// story it was merged into (Decision.Merge).
func (m *MemoryIndex) StoryOf(id int64) int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.rootID(id)
}

// Add records doc under storyID as decided by d: a new story (storyID must
// be unused), a copy (storyID must exist; a canonical copy replaces the
// story's text), or an unchanged refetch (nothing to do). d.Keys are added
// under the story.
func (m *MemoryIndex) Add(storyID int64, doc wirecrawl.Document, d Decision) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.add(storyID, doc, d)
}

func (m *MemoryIndex) add(storyID int64, doc wirecrawl.Document, d Decision) error {
	if d.Action == ActionUnchanged {
		return nil
	}
	si, ok := m.byID[storyID]
	switch d.Action {
	case ActionNew:
		if ok {
			return fmt.Errorf("memory index: story %d already exists", storyID)
		}
		si = int32(len(m.stories))
		seen := doc.FetchedAt
		if seen.IsZero() {
			seen = time.Now()
		}
		m.stories = append(m.stories, memStory{id: storyID, firstSeen: seen})
		m.byID[storyID] = si
		m.nextID = max(m.nextID, storyID)
	case ActionCopy:
		if !ok {
			return fmt.Errorf("memory index: no story %d", storyID)
		}
	default:
		return fmt.Errorf("memory index: unknown action %q", d.Action)
	}
	si = m.root(si)
	for _, id := range d.Merge {
		mi, ok := m.byID[id]
		if !ok {
			continue
		}
		if mi = m.root(mi); mi == si {
			continue
		}
		from, to := &m.stories[mi], &m.stories[si]
		from.merged = si + 1
		if MoreComplete(from.length, to.length) {
			to.simhash, to.length, to.published, to.text, to.content = from.simhash, from.length, from.published, from.text, from.content
		}
		if from.firstSeen.Before(to.firstSeen) {
			to.firstSeen = from.firstSeen
		}
		from.text = ""
	}
	if s := &m.stories[si]; d.Action == ActionNew || KeepsCanonical(d, d.Words, s.length) {
		s.simhash, s.length, s.published, s.text, s.content = d.Simhash, d.Words, doc.Published, doc.Text, d.ContentHash
	}
	if doc.URL != "" {
		m.urls[doc.URL] = memURL{story: m.stories[si].id, hash: d.ContentHash}
	}
	for _, k := range d.Keys {
		if k&famMask == famBand {
			m.bands.insert(k, si)
		} else {
			m.signals.insert(k, si)
		}
	}
	m.docs++
	return nil
}

// Store decides doc against the index and adds it, atomically: a new story
// gets the next free id. It is the one-call path for tests and one-off runs.
func (m *MemoryIndex) Store(ctx context.Context, d *Deduper, doc wirecrawl.Document) (Decision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	dec, err := d.Decide(ctx, lockedIndex{m}, doc)
	if err != nil {
		return dec, err
	}
	if dec.Action == ActionNew {
		dec.StoryID = m.nextID + 1
	}
	if err := m.add(dec.StoryID, doc, dec); err != nil {
		return dec, err
	}
	return dec, nil
}

// sink keeps the prefetch loads of lookup from being optimised away.
//
//go:noinline
func sink(uint64) {}

// IndexStats describes a MemoryIndex's size.
type IndexStats struct {
	Stories, Docs            int
	BandEntries, BandSlots   int
	OtherEntries, OtherSlots int
}

// Stats returns the index's size.
func (m *MemoryIndex) Stats() IndexStats {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return IndexStats{Stories: len(m.stories), Docs: m.docs,
		BandEntries: m.bands.n, BandSlots: len(m.bands.slots),
		OtherEntries: m.signals.n, OtherSlots: len(m.signals.slots)}
}

// lockedIndex reads a MemoryIndex whose lock the caller already holds.
type lockedIndex struct{ m *MemoryIndex }

func (l lockedIndex) Lookup(ctx context.Context, keys []uint64) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory index: %w", err)
	}
	return l.m.lookup(keys), nil
}

func (l lockedIndex) Nominate(ctx context.Context, q Query) (Nomination, error) {
	if err := ctx.Err(); err != nil {
		return Nomination{}, fmt.Errorf("memory index: %w", err)
	}
	return l.m.nominate(q), nil
}

func (l lockedIndex) Texts(ctx context.Context, ids []int64) (map[int64]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory index: %w", err)
	}
	return l.m.texts(ids), nil
}

func (l lockedIndex) StoredURL(ctx context.Context, url string) (int64, uint64, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, false, fmt.Errorf("memory index: %w", err)
	}
	u, ok := l.m.urls[url]
	return u.story, u.hash, ok, nil
}

// keyTable maps 32-bit key tags to story numbers: open addressing with linear
// probing over one []uint64 (tag<<32 | story+1), grown by 1.5x at 0.8 load.
// Two keys with the same tag are not told apart; verification catches the
// rare false candidate this nominates (about entries/2^32 per lookup key).
type keyTable struct {
	slots []uint64
	n     int
}

func tagOf(k uint64) uint32 { return uint32(k >> 32) }

func (t *keyTable) pos(tag uint32) int {
	return int(uint64(tag) * uint64(len(t.slots)) >> 32)
}

func (t *keyTable) find(k uint64, dst []int32) []int32 {
	if len(t.slots) == 0 {
		return dst
	}
	tag := tagOf(k)
	for i := t.pos(tag); ; {
		s := t.slots[i]
		if s == 0 {
			return dst
		}
		if uint32(s>>32) == tag {
			dst = append(dst, int32(uint32(s)-1))
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

func (t *keyTable) insert(k uint64, story int32) {
	if 5*(t.n+1) > 4*len(t.slots) {
		t.grow()
	}
	t.put(uint64(tagOf(k))<<32 | uint64(uint32(story)+1))
}

// put stores slot value v unless it is there already.
func (t *keyTable) put(v uint64) {
	for i := t.pos(uint32(v >> 32)); ; {
		s := t.slots[i]
		if s == v {
			return
		}
		if s == 0 {
			t.slots[i] = v
			t.n++
			return
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

func (t *keyTable) grow() {
	old := t.slots
	size := max(64, len(old)*3/2)
	t.slots = make([]uint64, size)
	t.n = 0
	for _, v := range old {
		if v != 0 {
			t.put(v)
		}
	}
}
