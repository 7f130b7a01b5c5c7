package store

// SetRankWindow makes Search of st rank at most n matches, for tests.
func SetRankWindow(st Store, n int) { st.(*db).rankWindow = n }

// SetSearchPlan forces the plans of PostgreSQL's full-text queries, for
// tests: "walk" walks back from the newest story to the rank window's
// start, "bitmap" collects every match through the GIN index for pages and
// the rank window alike, "" chooses as production does, walking stretches
// of stretch stories (0: pgStretch) to measure how densely a query matches.
func SetSearchPlan(st Store, plan string, stretch int) {
	st.(*db).searchPlan = map[string]int{"": planAuto, "walk": planWalk, "bitmap": planBitmap}[plan]
	st.(*db).searchStretch = stretch
}
