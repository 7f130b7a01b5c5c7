package store

// SetPruneEvery changes how often LogFetch prunes the fetch log, for tests.
func SetPruneEvery(n int64) (restore func()) {
	old := pruneEvery
	pruneEvery = n
	return func() { pruneEvery = old }
}
