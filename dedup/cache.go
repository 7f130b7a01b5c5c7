package dedup

import (
	"sync"
	"sync/atomic"
)

// fpCache keeps the fingerprints of recently verified canonical texts, keyed
// by their content hash (Candidate.ContentHash), so that a story nominated
// again is verified without reading or normalising its text. Bounded: when
// full, an arbitrary half is dropped. A zero max disables it.
type fpCache struct {
	mu           sync.Mutex
	m            map[uint64]*fingerprint
	max          int
	hits, misses atomic.Int64
}

// cacheInitialEntries is the room an fpCache's map starts with: a short
// run does not allocate a map for the whole configured size.
const cacheInitialEntries = 1024

// get returns the prepared fingerprint of the text whose content hash is
// content, if cached.
func (c *fpCache) get(content uint64) (*fingerprint, bool) {
	if c.max <= 0 {
		c.misses.Add(1)
		return nil, false
	}
	c.mu.Lock()
	fp, ok := c.m[content]
	c.mu.Unlock()
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return fp, ok
}

// put prepares fp and caches it under its own content hash, without its
// shingles in text order (only the sorted sets comparisons use).
func (c *fpCache) put(fp *fingerprint) {
	fp.prepare()
	fp.shingles = nil
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[uint64]*fingerprint, min(c.max, cacheInitialEntries))
	}
	if len(c.m) >= c.max {
		n := 0
		for k := range c.m {
			delete(c.m, k)
			if n++; n >= c.max/2 {
				break
			}
		}
	}
	c.m[fp.content] = fp
}
