package store

import (
	"math"
	"time"
)

// The times stored Unix nanoseconds can hold: about 1677-09-21 to 2262-04-11.
var (
	minStoredTime = time.Unix(0, math.MinInt64)
	maxStoredTime = time.Unix(0, math.MaxInt64)
)

// timeBound turns a filter bound into stored nanoseconds without the
// overflow of UnixNano (which wraps years past 2262 into the past):
// below and above report a bound outside what the store can hold, which
// selects everything or nothing depending on the side it bounds.
func timeBound(t time.Time) (n int64, below, above bool) {
	switch {
	case t.Before(minStoredTime):
		return 0, true, false
	case t.After(maxStoredTime):
		return 0, false, true
	}
	return t.UnixNano(), false, false
}

// publishedFilter is the condition and arguments that keep stories
// published (or, when unknown, first seen) in [since, until); zero times
// bound nothing.
func publishedFilter(since, until time.Time) (where []string, args []any) {
	const when = `(CASE WHEN published = 0 THEN first_seen ELSE published END)`
	if !since.IsZero() {
		switch n, below, above := timeBound(since); {
		case above:
			where = append(where, `1 = 0`)
		case !below:
			where = append(where, when+` >= ?`)
			args = append(args, n)
		}
	}
	if !until.IsZero() {
		switch n, below, above := timeBound(until); {
		case below:
			where = append(where, `1 = 0`)
		case !above:
			where = append(where, when+` < ?`)
			args = append(args, n)
		}
	}
	return where, args
}
