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
	shingles []uint64 // in text order; nil in cached fingerprints
	sorted   bool     // sh32 and op32 are set
	openN    int      // the first openN shingles are the opening paragraph(s)'s
	headN    int      // the first headN shingles are the head (headParas paragraphs)
	// sh32 and op32 are the sorted unique high halves of the shingles and
	// of the opening's, for comparisons (set by prepare): half the memory
	// of the 64-bit hashes, so the cache holds twice as many stories; a
	// false match among a thousand shingles has odds of about 1 in 2^22.
	sh32, op32 []uint32
	// head marks, bit i for sh32[i], the shingles found in the head: an
	// opening agrees only with the other text's head (see headParas). Nil
	// when the head is the whole text.
	head []uint64
	// qsh are the shingles that touch a quotation, in text order (nil
	// without quotations; dropped by prepare), and q32 the same as sh32
	// (see quotes.go).
	qsh     []uint64
	q32     []uint32
	simhash uint64
	content uint64
	ledeMin []uint64 // minimum key-shingle hash of each opening paragraph
	sketch  []uint64 // the smallest key-shingle hashes (bottom-k)
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

// openingMinTokens is how many words the opening (for the lede check) spans at least.
//
// headParas is how many paragraphs make a text's head (or its first half,
// when that is longer), where the other version's opening must be found
// for the openings to agree: a copy keeps the lede near the top, behind at
// most a local paragraph or an update's new paragraphs; a follow-up that
// opens with its parent's background (or a sentence of it) has it at the
// bottom.
const (
	headParas        = 3
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
	if len(n.quoted) > 0 {
		fp.qsh = quotedShingles(sh, kk, n.quoted)
	}
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
	fp.headN = len(sh)
	if len(n.paras) > headParas {
		fp.headN = max(int(n.paras[headParas])-kk+1, oend, len(sh)/2)
	}
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

// prepare makes the sorted shingle sets comparisons use; fingerprinting
// for keys alone does not need them.
func (fp *fingerprint) prepare() {
	if !fp.sorted {
		fp.op32 = compact32(fp.shingles[:fp.openN])
		fp.sh32 = compact32(fp.shingles)
		fp.head = nil
		if fp.headN < len(fp.shingles) {
			fp.head = headBits(fp.sh32, compact32(fp.shingles[:fp.headN]))
		}
		if fp.qsh != nil {
			fp.q32, fp.qsh = compact32(fp.qsh), nil
		}
		fp.sorted = true
	}
}

// compact32 returns the sorted unique high halves of s, in new memory.
func compact32(s []uint64) []uint32 {
	out := make([]uint32, len(s))
	for i, v := range s {
		out[i] = uint32(v >> 32)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// simhash is Charikar's fingerprint of the features: bit i is set when most
// features have bit i set.
//
// The 64 per-bit counts are bit-sliced: plane k holds bit k of every count,
// so one word operation adds to all 64 counts. Sixteen features at a time go
// through a carry-save adder tree (Harley-Seal) into the planes of weight 1,
// 2, 4 and 8, and the carries of weight 16 ripple into hi, which is flushed
// to counts before it can overflow.
func simhash(features []uint64) uint64 {
	var counts [64]int
	var ones, twos, fours, eights uint64
	var hi [6]uint64 // counts of sixteens, up to 63
	groups := 0
	flushHi := func() {
		for k, plane := range hi {
			for i := range 64 {
				counts[i] += int(plane>>i&1) << (k + 4)
			}
		}
		hi = [6]uint64{}
		groups = 0
	}
	addHi := func(carry uint64) {
		for k := range hi {
			t := hi[k] & carry
			hi[k] ^= carry
			carry = t
		}
		if groups++; groups == 63 {
			flushHi()
		}
	}
	n := len(features)
	for len(features) >= 16 {
		f := features[:16]
		var twosA, twosB, foursA, foursB, eightsA, eightsB, sixteens uint64
		twosA, ones = csa(ones, f[0], f[1])
		twosB, ones = csa(ones, f[2], f[3])
		foursA, twos = csa(twos, twosA, twosB)
		twosA, ones = csa(ones, f[4], f[5])
		twosB, ones = csa(ones, f[6], f[7])
		foursB, twos = csa(twos, twosA, twosB)
		eightsA, fours = csa(fours, foursA, foursB)
		twosA, ones = csa(ones, f[8], f[9])
		twosB, ones = csa(ones, f[10], f[11])
		foursA, twos = csa(twos, twosA, twosB)
		twosA, ones = csa(ones, f[12], f[13])
		twosB, ones = csa(ones, f[14], f[15])
		foursB, twos = csa(twos, twosA, twosB)
		eightsB, fours = csa(fours, foursA, foursB)
		sixteens, eights = csa(eights, eightsA, eightsB)
		addHi(sixteens)
		features = features[16:]
	}
	for _, f := range features { // fewer than 16 left: ripple each in
		carry := f
		ones, carry = ones^carry, ones&carry
		twos, carry = twos^carry, twos&carry
		fours, carry = fours^carry, fours&carry
		eights, carry = eights^carry, eights&carry
		addHi(carry)
	}
	flushHi()
	var out uint64
	for i := range counts {
		c := counts[i] + int(ones>>i&1) + int(twos>>i&1)<<1 + int(fours>>i&1)<<2 + int(eights>>i&1)<<3
		if 2*c > n {
			out |= 1 << i
		}
	}
	return out
}

// csa is a carry-save adder of three bit-sliced numbers: per bit,
// a+b+c = 2*carry + sum.
func csa(a, b, c uint64) (carry, sum uint64) {
	u := a ^ b
	return a&b | u&c, u ^ c
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

// headBits marks, bit i for sh[i], the values of sh also in hd (both
// sorted and unique).
func headBits(sh, hd []uint32) []uint64 {
	bits := make([]uint64, (len(sh)+63)/64)
	j := 0
	for i, v := range sh {
		for j < len(hd) && hd[j] < v {
			j++
		}
		if j < len(hd) && hd[j] == v {
			bits[i/64] |= 1 << (i % 64)
		}
	}
	return bits
}

// intersectHead counts the values of op found in sh at a position marked
// in head (all of sh when head is nil); op and sh are sorted and unique.
func intersectHead(op, sh []uint32, head []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(op) && j < len(sh) {
		switch {
		case op[i] < sh[j]:
			i++
		case op[i] > sh[j]:
			j++
		default:
			if head == nil || head[j/64]>>(j%64)&1 == 1 {
				n++
			}
			i++
			j++
		}
	}
	return n
}

// intersect32 counts the values two sorted unique slices share.
func intersect32(a, b []uint32) int { return intersectHead(a, b, nil) }

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
