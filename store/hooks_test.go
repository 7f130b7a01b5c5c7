package store

// SetPruneEvery changes how often LogFetch prunes the fetch log, for tests.
func SetPruneEvery(n int64) (restore func()) {
	old := pruneEvery
	pruneEvery = n
	return func() { pruneEvery = old }
}

// SetIndexPruneEvery makes SavePage prune the dedup index every n new
// stories, for tests.
func SetIndexPruneEvery(n int64) (restore func()) {
	old := indexPruneEvery
	indexPruneEvery = n
	return func() { indexPruneEvery = old }
}

// WaitingSaves is how many SavePage calls of s wait for the group being
// written, for tests of group commit.
func WaitingSaves(s Store) int {
	d := s.(*db)
	d.saveMu.Lock()
	defer d.saveMu.Unlock()
	return len(d.saves.reqs)
}
