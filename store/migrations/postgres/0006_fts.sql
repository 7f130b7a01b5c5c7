-- Full-text search over stories (wirecrawl search, export --query, the API's
-- q): a story's canonical title (weight A), the headlines of its copies that
-- differ from the title (B) and its text, the first 100,000 characters (D),
-- as a tsvector of the 'simple' configuration (no stemming, no stop words,
-- any language; case folded, diacritics kept) with a GIN index. Kept by the
-- triggers below in the transaction that writes the story or copy.
CREATE TABLE story_search (
	story_id BIGINT PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
	doc      tsvector NOT NULL
);
CREATE FUNCTION story_search_doc(sid BIGINT) RETURNS tsvector LANGUAGE sql STABLE AS $$
	SELECT setweight(to_tsvector('simple', s.title), 'A') ||
		setweight(to_tsvector('simple', coalesce((SELECT string_agg(DISTINCT c.title, ' , ') FROM copies c
			WHERE c.story_id = s.id AND c.title <> s.title), '')), 'B') ||
		setweight(to_tsvector('simple', left(s.text, 100000)), 'D')
	FROM stories s WHERE s.id = sid
$$;
CREATE FUNCTION story_search_refresh(sid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	d tsvector;
BEGIN
	d := story_search_doc(sid);
	IF d IS NULL THEN
		DELETE FROM story_search WHERE story_id = sid;
	ELSE
		INSERT INTO story_search (story_id, doc) VALUES (sid, d)
			ON CONFLICT (story_id) DO UPDATE SET doc = EXCLUDED.doc;
	END IF;
END;
$$;
INSERT INTO story_search (story_id, doc) SELECT id, story_search_doc(id) FROM stories;
CREATE INDEX story_search_doc ON story_search USING gin (doc);

CREATE FUNCTION story_search_story() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM story_search_refresh(NEW.id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER story_search_insert AFTER INSERT ON stories
	FOR EACH ROW EXECUTE FUNCTION story_search_story();
CREATE TRIGGER story_search_update AFTER UPDATE OF title, text ON stories
	FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.text IS DISTINCT FROM NEW.text)
	EXECUTE FUNCTION story_search_story();

-- A copy changes the index only when its headline is new to the story (not
-- the title, not another copy's): most copies cost nothing.
CREATE FUNCTION story_search_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		PERFORM story_search_refresh(OLD.story_id);
		IF NEW.story_id <> OLD.story_id THEN
			PERFORM story_search_refresh(NEW.story_id);
		END IF;
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NOT EXISTS (SELECT 1 FROM stories WHERE id = NEW.story_id AND title = NEW.title)
			AND NOT EXISTS (SELECT 1 FROM copies WHERE story_id = NEW.story_id AND title = NEW.title AND id <> NEW.id) THEN
			PERFORM story_search_refresh(NEW.story_id);
		END IF;
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM stories WHERE id = OLD.story_id AND title = OLD.title)
		AND NOT EXISTS (SELECT 1 FROM copies WHERE story_id = OLD.story_id AND title = OLD.title) THEN
		PERFORM story_search_refresh(OLD.story_id);
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER story_search_copy_insert AFTER INSERT OR DELETE ON copies
	FOR EACH ROW EXECUTE FUNCTION story_search_copy();
CREATE TRIGGER story_search_copy_update AFTER UPDATE OF title, story_id ON copies
	FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.story_id <> NEW.story_id)
	EXECUTE FUNCTION story_search_copy();
