//go:build unix

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// fileLock takes an exclusive flock(2) on path, which the kernel releases
// when the process dies. flock conflicts between open files, so two stores in
// one process exclude each other too.
func fileLock(ctx context.Context, path string, wait bool) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	err = pollLock(ctx, wait, func() (bool, error) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, fmt.Errorf("flock %s: %w", path, err)
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	// The owner's pid, for people looking at the file; the flock is the lock.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "%d\n", os.Getpid())
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
