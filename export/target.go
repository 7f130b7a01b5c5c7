package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Target is where an export or a dataset card is written. What a path names
// decides how:
//
//   - nothing yet, or a regular file: a temporary file next to it, renamed
//     over it by Commit, so that a failed or interrupted export leaves the
//     old file (or none) rather than a truncated one;
//   - a character device or a FIFO (/dev/stdout, /dev/null, a named pipe, a
//     terminal): written through, as tee would, and never replaced;
//   - a symbolic link: followed. Its target is replaced if it is a regular
//     file (the link itself stays and points at the new file), written
//     through if it is a device or FIFO; a link to nothing is refused;
//   - anything else (a directory, a block device, a socket): refused.
type Target struct {
	// path is the path as given; final is the regular file a Commit
	// replaces (path with symbolic links resolved).
	path, final string
	f           *os.File
	through     bool
	mode        fs.FileMode
	done        bool
}

// ErrRefusedTarget marks a path CreateTarget will not write to by its kind
// (a directory, a block device, a socket, a link to nothing).
var ErrRefusedTarget = errors.New("refused")

// CreateTarget opens path for writing as described on Target. Opening a
// FIFO waits for its reader, as tee does.
func CreateTarget(path string) (*Target, error) {
	t := &Target{path: path, final: path, mode: 0o644}
	fi, err := os.Stat(path) // follows links
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if li, lerr := os.Lstat(path); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
			dest, _ := os.Readlink(path)
			return nil, fmt.Errorf("%w: %s is a symbolic link to %s, which does not exist; name the file itself", ErrRefusedTarget, path, dest)
		}
	case err != nil:
		return nil, unwrapPathError(err)
	case fi.Mode().IsRegular():
		if t.final, err = filepath.EvalSymlinks(path); err != nil {
			return nil, unwrapPathError(err)
		}
		t.mode = fi.Mode().Perm()
	case fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, unwrapPathError(err)
		}
		t.f, t.through = f, true
		return t, nil
	case fi.IsDir():
		return nil, fmt.Errorf("%w: %s is a directory; name a file", ErrRefusedTarget, path)
	default:
		return nil, fmt.Errorf("%w: %s is a %s, not a regular file, character device or FIFO", ErrRefusedTarget, path, kind(fi.Mode()))
	}
	f, err := os.CreateTemp(filepath.Dir(t.final), "."+filepath.Base(t.final)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	t.f = f
	return t, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file (" + m.Type().String() + ")"
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// Write writes to the temporary file or through to the device.
func (t *Target) Write(p []byte) (int, error) { return t.f.Write(p) }

// Regular reports whether the target is a regular file (replaced on
// Commit), as opposed to a device or FIFO written through. Only a regular
// file gets a dataset card next to it.
func (t *Target) Regular() bool { return !t.through }

// Commit finishes the target: the temporary file is closed and renamed over
// the regular file (keeping an existing file's permissions), or the device
// is closed.
func (t *Target) Commit() error {
	if t.done {
		return errors.New("export: target already finished")
	}
	t.done = true
	if t.through {
		if err := t.f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", t.path, err)
		}
		return nil
	}
	if err := t.f.Chmod(t.mode); err != nil {
		t.abort()
		return fmt.Errorf("writing %s: %w", t.path, err)
	}
	if err := t.f.Close(); err != nil {
		os.Remove(t.f.Name())
		return fmt.Errorf("writing %s: %w", t.path, err)
	}
	if err := os.Rename(t.f.Name(), t.final); err != nil {
		os.Remove(t.f.Name())
		return fmt.Errorf("writing %s: %w", t.path, err)
	}
	return nil
}

// Abort drops what was written to a regular file's temporary file (the
// old file, if any, stays as it was) or closes the device; what went
// through to a device cannot be taken back. Abort after Commit does nothing.
func (t *Target) Abort() {
	if t.done {
		return
	}
	t.done = true
	t.abort()
}

func (t *Target) abort() {
	t.f.Close()
	if !t.through {
		os.Remove(t.f.Name())
	}
}
