package pipeline

import (
	"math"
	"testing"
)

func TestScore(t *testing.T) {
	truth := map[string]string{"a1": "A", "a2": "A", "a3": "A", "b1": "B", "c1": "C"}
	cases := []struct {
		name      string
		got       map[string]int
		p, r, bf1 float64
	}{
		{"perfect", map[string]int{"a1": 1, "a2": 1, "a3": 1, "b1": 2, "c1": 3}, 1, 1, 1},
		{"all apart", map[string]int{"a1": 1, "a2": 2, "a3": 3, "b1": 4, "c1": 5}, 1, 0, 2 * (1 * 0.6) / 1.6},
		// a3 merged with b1: true pairs a1a2 found; predicted pairs a1a2, a3b1.
		{"one wrong merge", map[string]int{"a1": 1, "a2": 1, "a3": 2, "b1": 2, "c1": 3}, 0.5, 1.0 / 3, -1},
		{"missing counts as singleton", map[string]int{"a1": 1, "a2": 1, "b1": 2, "c1": 3}, 1, 1.0 / 3, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Score(truth, tc.got)
			if math.Abs(s.Precision-tc.p) > 1e-9 || math.Abs(s.Recall-tc.r) > 1e-9 {
				t.Errorf("P/R = %.3f/%.3f, want %.3f/%.3f", s.Precision, s.Recall, tc.p, tc.r)
			}
			if tc.bf1 >= 0 && math.Abs(s.BF1-tc.bf1) > 1e-9 {
				t.Errorf("B-cubed F1 = %.4f, want %.4f", s.BF1, tc.bf1)
			}
			if s.Pairs != 3 {
				t.Errorf("Pairs = %d, want 3", s.Pairs)
			}
		})
	}
}
