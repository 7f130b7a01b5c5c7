//go:build !unix

package store

import (
	"context"
	"errors"
	"os"
)

// fileLock takes a lock by creating path exclusively. Unlike flock, a lock
// left by a dead process stays until the file is removed by hand.
func fileLock(ctx context.Context, path string, wait bool) (func(), error) {
	var f *os.File
	err := pollLock(ctx, wait, func() (bool, error) {
		var err error
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, os.ErrExist):
			return false, nil
		}
		return false, err
	})
	if err != nil {
		return nil, err
	}
	return func() {
		f.Close()
		os.Remove(path)
	}, nil
}
