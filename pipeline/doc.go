// Package pipeline wires the stages together: crawler -> cleaner -> dedup ->
// store. It is the only package that imports all of them: New builds the
// stages from one Config, and Crawl and Ingest run them.
package pipeline
