package store

// SetRankWindow makes Search of st rank at most n matches, for tests.
func SetRankWindow(st Store, n int) { st.(*db).rankWindow = n }
