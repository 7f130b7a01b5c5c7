// Package testweb is a simulated news web served on loopback: the offline
// test bed that the crawler, cleaner, dedup and store tests (and `wirecrawl
// demo`) run against, with the ground truth of every article URL.
//
// Start (or Generate, without a network) builds a web of outlets and wire
// services from a seed: home pages, feeds, sitemaps, robots.txt, and stories
// syndicated across outlets with the edits real copies get. Truth says what
// a perfect crawler, cleaner and deduplicator make of each URL, Requests
// what a crawler asked, CheckPoliteness and ScoreClusters how well it did.
// Options.Faults adds failing and trap URLs. StartHostile serves a second,
// smaller web built to break crawlers (bombs, hangs, resets, charset traps,
// redirects to private addresses, endless chains), whose Cases are its truth
// table.
//
// It does no I/O beyond its own listeners and never contacts other addresses.
// It does not import the code it judges. README.md beside the code says how
// the web is built and what it does not simulate.
package testweb
