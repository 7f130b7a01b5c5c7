// Package storetest is the conformance suite every store backend passes:
// frontier semantics, feed and robots state, host politeness under
// concurrency, SavePage decisions (new, copy, canonical replacement,
// unchanged, re-saves, concurrent copies of one story), streaming Stories
// with filters, Raw, StoryOf, RunLock and Stats. Backends run it with Run.
package storetest
