package export

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in    string
		upper bool
		want  time.Time
		bad   bool
	}{
		{"", false, time.Time{}, false},
		{"2026-11-26", false, day, false},
		{"2026-11-26", true, day.AddDate(0, 0, 1), false},
		{"2026-11-26T15:04:05Z", true, day.Add(15*time.Hour + 4*time.Minute + 5*time.Second), false},
		{"26/11/2026", false, time.Time{}, true},
	} {
		got, err := ParseTime(c.in, c.upper)
		if (err != nil) != c.bad || !got.Equal(c.want) {
			t.Errorf("ParseTime(%q, %v) = %v, %v; want %v (error: %v)", c.in, c.upper, got, err, c.want, c.bad)
		}
	}
}
