package crawler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A readable file that is not a seed list is not echoed in the error
// (seeds=/etc/shadow printed its first line); in a seed list, a bad line is
// quoted, at most its start.
func TestSeedErrorsQuoteOnlySeedLists(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secret := "root:$6$Zm9vYmFyc2VjcmV0$hashedpasswordvalue:19000:0:99999:7:::"
	for _, content := range []string{
		secret + "\ndaemon:*:19000:0:99999:7:::\n",
		"# comment first\n\n" + secret + "\n",
		"[core]\n\trepositoryformatversion = 0\n",
	} {
		p := write("shadow", content)
		_, err := ReadSeeds([]string{p})
		if err == nil {
			t.Fatalf("%q read as seeds", content)
		}
		if msg := err.Error(); strings.Contains(msg, "root") || strings.Contains(msg, "hashed") || strings.Contains(msg, "core") ||
			!strings.Contains(msg, "does not look like a seed list") || !strings.Contains(msg, p) {
			t.Errorf("error %q echoes the file or does not say it is no seed list", msg)
		}
	}

	long := "ftp://example.org/" + strings.Repeat("x", 5000)
	p := write("seeds.txt", "https://example.org/feed.xml\n"+long+"\n")
	_, err := ReadSeeds([]string{p})
	if err == nil || !strings.Contains(err.Error(), `"ftp://example.org/`) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad line of a seed list: %v", err)
	}
	if len(err.Error()) > 300 {
		t.Errorf("the error quotes %d bytes: %.120q...", len(err.Error()), err.Error())
	}
	p = write("seeds2.txt", "https://example.org/feed.xml\nnot a url at all\n")
	if _, err := ReadSeeds([]string{p}); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("two fields in a seed list: %v", err)
	}
	p = write("seeds3.txt", "https://example.org/feed.xml\nhttp://\n")
	if _, err := ReadSeeds([]string{p}); err == nil || !strings.Contains(err.Error(), `"http://"`) {
		t.Errorf("unparsable URL in a seed list: %v", err)
	}
}
