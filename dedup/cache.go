package dedup

import (
	"sync"

	"github.com/cespare/xxhash/v2"
)

// fpCache keeps the fingerprints of recently verified canonical texts, keyed
// by the xxhash of the text: a popular story is nominated again and again,
// and hashing its text is ~100x cheaper than normalising it. Bounded: when
// full, an arbitrary half is dropped.
type fpCache struct {
	mu  sync.Mutex
	m   map[uint64]*fingerprint
	max int
}

func (c *fpCache) get(text string, build func() fingerprint) *fingerprint {
	if c.max <= 0 {
		fp := build()
		return &fp
	}
	h := xxhash.Sum64String(text) ^ uint64(len(text))<<1
	c.mu.Lock()
	fp, ok := c.m[h]
	c.mu.Unlock()
	if ok {
		return fp
	}
	v := build()
	v.prepare()
	fp = &v
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[uint64]*fingerprint, c.max)
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
	c.m[h] = fp
	c.mu.Unlock()
	return fp
}
