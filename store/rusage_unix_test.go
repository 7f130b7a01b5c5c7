//go:build unix

package store_test

import (
	"runtime"
	"syscall"
	"time"
)

// rusage returns the process's user+system CPU time and its peak RSS in
// bytes, for benchmark metrics that depend less on how loaded the machine is.
func rusage() (cpu time.Duration, peakRSS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	rss := ru.Maxrss // KiB on Linux, bytes on Darwin
	if runtime.GOOS != "darwin" {
		rss *= 1024
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), rss
}
