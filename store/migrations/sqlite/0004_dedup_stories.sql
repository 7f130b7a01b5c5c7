-- What the dedup index keeps per story, small and close: the canonical's
-- fingerprint, length and times, about 50 bytes a row, so that ranking the
-- nominated stories reads neither their texts nor the pages those fill.
-- Triggers keep it equal to the stories' columns.
CREATE TABLE dedup_stories (
	story_id     INTEGER PRIMARY KEY,
	simhash      INTEGER NOT NULL DEFAULT 0,
	content_hash INTEGER NOT NULL DEFAULT 0,
	words        INTEGER NOT NULL DEFAULT 0,
	published    INTEGER NOT NULL DEFAULT 0,
	first_seen   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO dedup_stories (story_id, simhash, content_hash, words, published, first_seen)
	SELECT id, simhash, content_hash, words, published, first_seen FROM stories;
CREATE TRIGGER dedup_stories_insert AFTER INSERT ON stories BEGIN
	INSERT INTO dedup_stories (story_id, simhash, content_hash, words, published, first_seen)
		VALUES (NEW.id, NEW.simhash, NEW.content_hash, NEW.words, NEW.published, NEW.first_seen);
END;
CREATE TRIGGER dedup_stories_update AFTER UPDATE OF simhash, content_hash, words, published, first_seen ON stories BEGIN
	UPDATE dedup_stories SET simhash = NEW.simhash, content_hash = NEW.content_hash, words = NEW.words,
		published = NEW.published, first_seen = NEW.first_seen WHERE story_id = NEW.id;
END;
CREATE TRIGGER dedup_stories_delete AFTER DELETE ON stories BEGIN
	DELETE FROM dedup_stories WHERE story_id = OLD.id;
END;
CREATE INDEX dedup_stories_first_seen ON dedup_stories (first_seen);
