package dedup

import (
	"math/rand/v2"
	"testing"
)

// naiveSimhash is simhash's definition: bit i is set when more than half of
// the features have bit i set.
func naiveSimhash(features []uint64) uint64 {
	var out uint64
	for i := range 64 {
		c := 0
		for _, f := range features {
			c += int(f >> i & 1)
		}
		if 2*c > len(features) {
			out |= 1 << i
		}
	}
	return out
}

// TestSimhashMatchesDefinition checks the bit-sliced counting against the
// definition, on lengths around its batch and flush boundaries and on
// features whose bits are biased (so that counts sit near one half and near
// the extremes).
func TestSimhashMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	lengths := []int{0, 1, 2, 15, 16, 17, 31, 32, 33, 255, 256, 1007, 1008, 1009, 1024, 2015, 2016, 2017, 5000}
	for range 50 {
		lengths = append(lengths, r.IntN(3000))
	}
	for _, n := range lengths {
		for _, bias := range []int{0, 1, 2, 3} {
			fs := make([]uint64, n)
			for i := range fs {
				switch bias {
				case 0:
					fs[i] = r.Uint64()
				case 1: // mostly ones
					fs[i] = r.Uint64() | r.Uint64()
				case 2: // mostly zeros
					fs[i] = r.Uint64() & r.Uint64() & r.Uint64()
				case 3: // few distinct values: exact ties
					fs[i] = uint64(i%2) * ^uint64(0)
				}
			}
			if got, want := simhash(fs), naiveSimhash(fs); got != want {
				t.Fatalf("n=%d bias=%d: simhash = %#x, want %#x", n, bias, got, want)
			}
		}
	}
}
