// Package testweb serves a simulated news web on loopback: outlets with their
// own templates and boilerplate, feeds, sitemaps, robots.txt, wire syndication
// with realistic edits, hard negatives and a faults mode, plus the ground truth
// for every URL. It is deterministic for a seed and generates pages on request.
package testweb
