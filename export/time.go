package export

import (
	"fmt"
	"strings"
	"time"
)

// ParseTime reads a filter bound as the export command and the serve API
// take it: an RFC 3339 time, or a date (midnight UTC). For an upper bound
// (exclusive), a date means the end of that day: the next midnight. An
// empty string is the zero time (no bound).
func ParseTime(s string, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2026-11-26T15:04:05Z) nor a date (2026-11-26)", s)
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}
