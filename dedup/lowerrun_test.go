package dedup

import "testing"

// TestLowerRun checks the eight-bytes-at-a-time scan against the byte loop.
func TestLowerRun(t *testing.T) {
	inputs := []string{"", "a", "abcdefgh", "abcdefghi", "abc def", "hello-world", "0123456789:", "zzzzzzzz{",
		"aaaaaaa`", "AAAAbbbb", "abcdefgh\xffijk", "wordwordword9/", "@@@@@@@@@@", "x\x00yyyyyyyyy", "café au lait"}
	for _, s := range inputs {
		for i := 0; i <= len(s); i++ {
			want := i
			for want < len(s) && byteClass[s[want]] == cLower {
				want++
			}
			if got := lowerRun(s, i); got != want {
				t.Errorf("lowerRun(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
	}
}
