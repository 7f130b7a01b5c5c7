package serve_test

import (
	"errors"
	"io"
	"net/http/cookiejar"
)

var errPrivate = errors.New("crawler: refusing private network address")

func cookiejarNew() (*cookiejar.Jar, error) { return cookiejar.New(nil) }

func ioCopy(w io.Writer, r io.Reader) (int64, error) { return io.Copy(w, r) }
