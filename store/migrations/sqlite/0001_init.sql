-- Stories: one piece of journalism and its canonical version.
-- Times are Unix nanoseconds (0 = unknown); uint64 fingerprints are bit-cast to int64.
CREATE TABLE stories (
	id              INTEGER PRIMARY KEY,
	url             TEXT    NOT NULL,
	title           TEXT    NOT NULL DEFAULT '',
	byline          TEXT    NOT NULL DEFAULT '',
	published       INTEGER NOT NULL DEFAULT 0,
	site            TEXT    NOT NULL DEFAULT '',
	lang            TEXT    NOT NULL DEFAULT '',
	text            TEXT    NOT NULL DEFAULT '',
	simhash         INTEGER NOT NULL DEFAULT 0,
	content_hash    INTEGER NOT NULL DEFAULT 0,
	words           INTEGER NOT NULL DEFAULT 0,
	first_publisher TEXT    NOT NULL DEFAULT '',
	first_seen      INTEGER NOT NULL,
	updated         INTEGER NOT NULL
);
CREATE INDEX stories_lang ON stories (lang);

-- Earlier canonical versions of a story, kept when an update replaced them.
CREATE TABLE story_versions (
	id           INTEGER PRIMARY KEY,
	story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	url          TEXT    NOT NULL,
	title        TEXT    NOT NULL DEFAULT '',
	byline       TEXT    NOT NULL DEFAULT '',
	published    INTEGER NOT NULL DEFAULT 0,
	site         TEXT    NOT NULL DEFAULT '',
	lang         TEXT    NOT NULL DEFAULT '',
	text         TEXT    NOT NULL DEFAULT '',
	simhash      INTEGER NOT NULL DEFAULT 0,
	content_hash INTEGER NOT NULL DEFAULT 0,
	words        INTEGER NOT NULL DEFAULT 0,
	replaced_at  INTEGER NOT NULL
);
CREATE INDEX story_versions_story ON story_versions (story_id);

-- Copies: every stored URL, each in exactly one story.
CREATE TABLE copies (
	id            INTEGER PRIMARY KEY,
	story_id      INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	url           TEXT    NOT NULL UNIQUE,
	host          TEXT    NOT NULL DEFAULT '',
	canonical_url TEXT    NOT NULL DEFAULT '',
	site          TEXT    NOT NULL DEFAULT '',
	title         TEXT    NOT NULL DEFAULT '',
	byline        TEXT    NOT NULL DEFAULT '',
	published     INTEGER NOT NULL DEFAULT 0,
	fetched_at    INTEGER NOT NULL DEFAULT 0,
	lang          TEXT    NOT NULL DEFAULT '',
	similarity    REAL    NOT NULL DEFAULT 0,
	distance      INTEGER NOT NULL DEFAULT 0,
	containment   REAL    NOT NULL DEFAULT 0,
	reason        TEXT    NOT NULL DEFAULT '',
	simhash       INTEGER NOT NULL DEFAULT 0,
	content_hash  INTEGER NOT NULL DEFAULT 0,
	text          TEXT,
	stored_at     INTEGER NOT NULL
);
CREATE INDEX copies_story ON copies (story_id);

-- The dedup index: opaque keys (simhash bands, content hash) per story.
CREATE TABLE dedup_keys (
	key      INTEGER NOT NULL,
	story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	PRIMARY KEY (key, story_id)
) WITHOUT ROWID;
CREATE INDEX dedup_keys_story ON dedup_keys (story_id);

-- Raw HTTP responses, kept when store.raw_html is on.
CREATE TABLE raw_pages (
	url        TEXT    PRIMARY KEY,
	status     INTEGER NOT NULL DEFAULT 0,
	header     TEXT    NOT NULL DEFAULT '',
	body       BLOB,
	fetched_at INTEGER NOT NULL DEFAULT 0
);

-- The crawl frontier: state is queued, leased, done or failed.
CREATE TABLE frontier (
	url         TEXT    PRIMARY KEY,
	host        TEXT    NOT NULL,
	kind        TEXT    NOT NULL DEFAULT '',
	state       TEXT    NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	not_before  INTEGER NOT NULL DEFAULT 0,
	lease_owner TEXT    NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	item        TEXT,
	err_class   TEXT    NOT NULL DEFAULT '',
	updated     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX frontier_due ON frontier (state, not_before);
CREATE INDEX frontier_lease ON frontier (state, lease_until);

CREATE TABLE feeds (
	url              TEXT    PRIMARY KEY,
	etag             TEXT    NOT NULL DEFAULT '',
	last_modified    TEXT    NOT NULL DEFAULT '',
	last_polled      INTEGER NOT NULL DEFAULT 0,
	next_poll        INTEGER NOT NULL DEFAULT 0,
	entries_per_week REAL    NOT NULL DEFAULT 0,
	failures         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE robots (
	host    TEXT    PRIMARY KEY,
	body    BLOB,
	status  INTEGER NOT NULL DEFAULT 0,
	fetched INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hosts (
	host         TEXT    PRIMARY KEY,
	next_allowed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE fetch_log (
	id        INTEGER PRIMARY KEY,
	url       TEXT    NOT NULL,
	kind      TEXT    NOT NULL DEFAULT '',
	status    INTEGER NOT NULL DEFAULT 0,
	err_class TEXT    NOT NULL DEFAULT '',
	error     TEXT    NOT NULL DEFAULT '',
	duration  INTEGER NOT NULL DEFAULT 0,
	at        INTEGER NOT NULL DEFAULT 0
);
