//go:build !unix

package store_test

import "time"

// rusage is not measured on this platform.
func rusage() (cpu time.Duration, peakRSS int64) { return 0, 0 }
