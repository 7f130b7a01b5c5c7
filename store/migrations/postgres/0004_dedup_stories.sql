-- What the dedup index keeps per story, small and close: the canonical's
-- fingerprint, length and times, about 50 bytes a row, so that ranking the
-- nominated stories reads neither their texts nor the pages those fill.
-- Triggers keep it equal to the stories' columns.
CREATE TABLE dedup_stories (
	story_id     BIGINT PRIMARY KEY,
	simhash      BIGINT NOT NULL DEFAULT 0,
	content_hash BIGINT NOT NULL DEFAULT 0,
	words        BIGINT NOT NULL DEFAULT 0,
	published    BIGINT NOT NULL DEFAULT 0,
	first_seen   BIGINT NOT NULL DEFAULT 0
);
INSERT INTO dedup_stories (story_id, simhash, content_hash, words, published, first_seen)
	SELECT id, simhash, content_hash, words, published, first_seen FROM stories;
CREATE FUNCTION dedup_stories_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM dedup_stories WHERE story_id = OLD.id;
		RETURN OLD;
	END IF;
	INSERT INTO dedup_stories (story_id, simhash, content_hash, words, published, first_seen)
		VALUES (NEW.id, NEW.simhash, NEW.content_hash, NEW.words, NEW.published, NEW.first_seen)
		ON CONFLICT (story_id) DO UPDATE SET simhash = EXCLUDED.simhash, content_hash = EXCLUDED.content_hash,
			words = EXCLUDED.words, published = EXCLUDED.published, first_seen = EXCLUDED.first_seen;
	RETURN NEW;
END;
$$;
CREATE TRIGGER dedup_stories_sync AFTER INSERT OR DELETE OR UPDATE OF simhash, content_hash, words, published, first_seen
	ON stories FOR EACH ROW EXECUTE FUNCTION dedup_stories_sync();
CREATE INDEX dedup_stories_first_seen ON dedup_stories (first_seen);
