package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// The run lock file a crawl leaves next to the database is ignored by git in
// the project's own tree (README, "Commands").
func TestLockFileIgnoredByGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(git, "-C", root, "rev-parse", "--git-dir").Run(); err != nil {
		t.Skip("not in a git checkout")
	}
	for _, name := range []string{"wirecrawl.db.lock-crawl_myhost", "demo.db.lock-crawl_vm"} {
		if err := exec.Command(git, "-C", root, "check-ignore", "-q", "--no-index", name).Run(); err != nil {
			t.Errorf("git does not ignore %s: %v", name, err)
		}
	}
}
