// Package cleaner turns one HTML page into a wirecrawl.Document: the article
// body as plain paragraphs plus its metadata (title, byline, date, language,
// site, canonical URL). It is pure: bytes and a URL in, a Document out, no I/O.
package cleaner
