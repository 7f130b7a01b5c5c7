// Package pipeline wires the stages together: crawler -> cleaner -> dedup ->
// store. It is the only package that imports all of them.
package pipeline
