package dedup

import (
	"math/bits"
	"slices"
)

// Key families, kept in the two low bits of every index key so that an index
// can keep the simhash band tables apart from the other keys.
const (
	famContent = 0 // exact normalised content
	famBand    = 1 // simhash band
	famSignal  = 2 // opening paragraph or bottom-k shingle
	famMask    = 3
)

// KeyFamily tells which kind of key k is: "content", "band" or "signal".
func KeyFamily(k uint64) string {
	switch k & famMask {
	case famContent:
		return "content"
	case famBand:
		return "band"
	default:
		return "signal"
	}
}

// fingerprint is everything dedup derives from one body.
type fingerprint struct {
	words    int
	shingles []uint64 // sorted and unique once prepared
	sorted   bool
	openN    int      // the first openN shingles are the opening paragraph(s)'s
	opening  []uint64 // sorted unique shingles of the opening (set by prepare)
	simhash  uint64
	content  uint64
	ledeMin  []uint64 // minimum key-shingle hash of each opening paragraph
	sketch   []uint64 // the smallest key-shingle hashes (bottom-k)
}

// mix64 is a strong 64-bit finaliser (murmur3 fmix64).
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// spread[b] has byte j set to bit j of b, to count bits eight lanes at a time.
var spread [256]uint64

func init() {
	for b := 0; b < 256; b++ {
		var v uint64
		for j := 0; j < 8; j++ {
			if b>>j&1 == 1 {
				v |= 1 << (8 * j)
			}
		}
		spread[b] = v
	}
}

// openingMinTokens is how many words the opening (for the lede check) spans at least.
const (
	openingMinTokens = 12
	openingMaxTokens = 60
)

// fingerprintOf computes the fingerprint of a normalised body.
func fingerprintOf(n normalized, k, lede, sketch int) fingerprint {
	return fingerprintInto(n, k, lede, sketch, nil)
}

// fingerprintInto is fingerprintOf with the shingles in shBuf when it is
// large enough (the caller then owns fp.shingles' memory).
func fingerprintInto(n normalized, k, lede, sketch int, shBuf []uint64) fingerprint {
	fp := fingerprint{words: len(n.tokens)}
	toks := n.tokens
	if len(toks) == 0 {
		fp.content = mix64(1)
		return fp
	}
	kk := k
	if len(toks) < kk {
		kk = len(toks)
	}
	nsh := len(toks) - kk + 1
	sh := shBuf[:0]
	if cap(sh) >= nsh {
		sh = sh[:nsh]
	} else {
		sh = make([]uint64, nsh)
	}
	// One pass over the words for two independent chains the CPU overlaps:
	// the content hash, an order-sensitive combination of the word hashes,
	// and the rolling xor of rotated word hashes, shingle i being
	// rotl(t[i], 17(k-1)) ^ ... ^ t[i+k-1], updated in O(1) per word.
	h := uint64(len(toks))*0x9e3779b97f4a7c15 + 1
	var roll uint64
	for _, t := range toks[:kk] {
		h = bits.RotateLeft64(h^t, 29) * 0x9e3779b97f4a7c15
		roll = bits.RotateLeft64(roll, 17) ^ t
	}
	sh[0] = roll // xor of rotated word hashes: uniform already
	outRot := 17 * kk
	for j, t := range toks[kk:] {
		h = bits.RotateLeft64(h^t, 29) * 0x9e3779b97f4a7c15
		roll = bits.RotateLeft64(roll, 17) ^ bits.RotateLeft64(toks[j], outRot) ^ t
		sh[j+1] = roll
	}
	fp.content = mix64(h)
	fp.simhash = simhash(sh)
	// Opening: the first paragraph (with the next ones while shorter than
	// openingMinTokens words), at most openingMaxTokens words.
	end := len(toks)
	for pi := 1; pi < len(n.paras); pi++ {
		if int(n.paras[pi]) >= openingMinTokens {
			end = int(n.paras[pi])
			break
		}
	}
	end = min(end, openingMaxTokens)
	oend := end - kk + 1
	if oend < 1 {
		oend = 1
	}
	fp.openN = oend // opening is sorted out of sh by prepare, when needed
	// Lookup keys come from longer shingles (keyShingle words): a shingle
	// common to many unrelated texts ("said in a statement") must not become
	// a key, or lookups would return half the index.
	kw := min(keyShingle, len(toks))
	fp.sketch = make([]uint64, 0, sketch+1)
	pi, paraMin, paraLen := 0, ^uint64(0), 0
	flushPara := func() {
		if paraLen >= 8-kw+1 && len(fp.ledeMin) < lede { // paragraphs of 8+ words identify a story
			fp.ledeMin = append(fp.ledeMin, paraMin)
		}
		paraMin, paraLen = ^uint64(0), 0
	}
	var kroll uint64
	for j := range kw {
		kroll = bits.RotateLeft64(kroll, 17) ^ toks[j]
	}
	kOutRot := 17 * kw
	paraEnd := len(toks)
	if len(n.paras) > 1 {
		paraEnd = int(n.paras[1])
	}
	for i := 0; i+kw <= len(toks); i++ {
		v := kroll ^ 0x6b657973
		if i+kw < len(toks) {
			kroll = bits.RotateLeft64(kroll, 17) ^ bits.RotateLeft64(toks[i], kOutRot) ^ toks[i+kw]
		}
		if len(fp.ledeMin) < lede {
			for pi+1 < len(n.paras) && int(n.paras[pi+1]) <= i {
				flushPara()
				pi++
				paraEnd = len(toks)
				if pi+1 < len(n.paras) {
					paraEnd = int(n.paras[pi+1])
				}
			}
			// Per-paragraph minimum, over shingles starting and ending in it.
			if i+kw <= paraEnd {
				paraMin = min(paraMin, v)
				paraLen++
			}
		}
		if len(fp.sketch) < sketch || v < fp.sketch[len(fp.sketch)-1] {
			fp.sketch = insertBottom(fp.sketch, v, sketch)
		}
	}
	flushPara()
	fp.shingles = sh // sorted on first comparison (prepare)
	return fp
}

// prepare sorts the shingle set and the opening's for comparisons;
// fingerprinting for keys alone does not need them.
func (fp *fingerprint) prepare() {
	if !fp.sorted {
		fp.opening = sortUnique(slices.Clone(fp.shingles[:fp.openN]))
		fp.shingles = sortUnique(fp.shingles)
		fp.sorted = true
	}
}

// simhash is Charikar's fingerprint of the features: bit i is set when most
// features have bit i set.
func simhash(features []uint64) uint64 {
	// Bit-sliced counting: lane variable b holds, in byte j, how many
	// features so far have bit 8*b+j set; flushed to counts every 255 features
	// before a byte can overflow. Eight locals, not an array, so that they
	// stay in registers.
	var counts [64]int
	n := len(features)
	for len(features) > 0 {
		batch := features[:min(len(features), 255)]
		features = features[len(batch):]
		var l0, l1, l2, l3, l4, l5, l6, l7 uint64
		for _, f := range batch {
			l0 += spread[f&0xff]
			l1 += spread[f>>8&0xff]
			l2 += spread[f>>16&0xff]
			l3 += spread[f>>24&0xff]
			l4 += spread[f>>32&0xff]
			l5 += spread[f>>40&0xff]
			l6 += spread[f>>48&0xff]
			l7 += spread[f>>56&0xff]
		}
		for b, v := range [8]uint64{l0, l1, l2, l3, l4, l5, l6, l7} {
			for j := range 8 {
				counts[8*b+j] += int(v >> (8 * j) & 0xff)
			}
		}
	}
	var out uint64
	for bit, c := range counts {
		if 2*c > n {
			out |= 1 << bit
		}
	}
	return out
}

// keyShingle is the number of words of the shingles lookup keys come from.
const keyShingle = 6

// insertBottom keeps out the k smallest distinct values seen, sorted.
func insertBottom(out []uint64, v uint64, k int) []uint64 {
	if k <= 0 || len(out) == k && v >= out[k-1] {
		return out
	}
	i, found := slices.BinarySearch(out, v)
	if found {
		return out
	}
	out = slices.Insert(out, i, v)
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// sortUnique sorts s and removes duplicates in place.
func sortUnique(s []uint64) []uint64 {
	slices.Sort(s)
	return slices.Compact(s)
}

// intersect counts the values two sorted unique slices share.
func intersect(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// Distance is the Hamming distance between two simhash fingerprints.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// keyOf makes an index key of family fam from a value.
func keyOf(v uint64, fam uint64) uint64 { return mix64(v)&^famMask | fam }

// contentKey is the index key of an exact normalised body.
func contentKey(content uint64) uint64 { return keyOf(content^0x5bd1e9955bd1e995, famContent) }

// bandKeys are the simhash band keys: rotating 32-bit windows of the
// fingerprint with the band number folded in. Any two fingerprints at
// distance <= 1 share one; most at distance 2 do too.
func bandKeys(dst []uint64, sim uint64, bands int) []uint64 {
	for i := range bands {
		w := bits.RotateLeft64(sim, -i*64/bands) & 0xffffffff
		dst = append(dst, keyOf(w|uint64(i+1)<<40|uint64(bands)<<48, famBand))
	}
	return dst
}

// keys lists the lookup keys of fp: content, bands, then signals.
func (fp *fingerprint) keys(bands int) []uint64 {
	ks := make([]uint64, 0, 1+bands+len(fp.ledeMin)+len(fp.sketch))
	ks = append(ks, contentKey(fp.content))
	if fp.words == 0 {
		return ks
	}
	ks = bandKeys(ks, fp.simhash, bands)
	for _, m := range fp.ledeMin {
		ks = append(ks, keyOf(m^0x1ede, famSignal))
	}
	for _, m := range fp.sketch {
		ks = append(ks, keyOf(m^0x5e7c, famSignal))
	}
	return sortUnique(ks)
}
