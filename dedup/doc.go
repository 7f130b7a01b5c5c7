// Package dedup decides, before storage, whether a cleaned document is a new
// story, a copy of a stored story (a syndicated or updated version), or
// unchanged. It fingerprints body text with a 64-bit simhash, nominates
// candidates through banded fingerprint tables, and verifies them with shingle
// containment. Persistence reaches it through the Index interface.
package dedup
