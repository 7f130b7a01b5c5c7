-- Full-text search over stories (wirecrawl search, export --query, the API's
-- q): a story's canonical title, its text (the first 100,000 characters) and
-- the headlines of its copies that differ from the title. Contentless FTS5
-- (the text is stored once, in stories; bm25 works, snippets are made from
-- stories.text), rowid = story ID, kept by the triggers below in the
-- transaction that writes the story or copy. unicode61 folds case and
-- diacritics.
CREATE VIRTUAL TABLE story_fts USING fts5(title, body, headlines,
	content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO story_fts (rowid, title, body, headlines)
	SELECT s.id, s.title, substr(s.text, 1, 100000),
		coalesce((SELECT group_concat(DISTINCT c.title) FROM copies c WHERE c.story_id = s.id AND c.title <> s.title), '')
	FROM stories s;
CREATE TRIGGER story_fts_insert AFTER INSERT ON stories BEGIN
	INSERT INTO story_fts (rowid, title, body, headlines)
		SELECT s.id, s.title, substr(s.text, 1, 100000),
			coalesce((SELECT group_concat(DISTINCT c.title) FROM copies c WHERE c.story_id = s.id AND c.title <> s.title), '')
		FROM stories s WHERE s.id = NEW.id;
END;
CREATE TRIGGER story_fts_update AFTER UPDATE OF title, text ON stories
	WHEN OLD.title IS NOT NEW.title OR OLD.text IS NOT NEW.text BEGIN
	DELETE FROM story_fts WHERE rowid = OLD.id;
	INSERT INTO story_fts (rowid, title, body, headlines)
		SELECT s.id, s.title, substr(s.text, 1, 100000),
			coalesce((SELECT group_concat(DISTINCT c.title) FROM copies c WHERE c.story_id = s.id AND c.title <> s.title), '')
		FROM stories s WHERE s.id = NEW.id;
END;
CREATE TRIGGER story_fts_delete AFTER DELETE ON stories BEGIN
	DELETE FROM story_fts WHERE rowid = OLD.id;
END;
-- A copy changes the index only when its headline is new to the story (not
-- the title, not another copy's): most copies cost nothing.
CREATE TRIGGER copy_fts_insert AFTER INSERT ON copies
	WHEN NOT EXISTS (SELECT 1 FROM stories WHERE id = NEW.story_id AND title = NEW.title)
		AND NOT EXISTS (SELECT 1 FROM copies WHERE story_id = NEW.story_id AND title = NEW.title AND id <> NEW.id) BEGIN
	DELETE FROM story_fts WHERE rowid = NEW.story_id;
	INSERT INTO story_fts (rowid, title, body, headlines)
		SELECT s.id, s.title, substr(s.text, 1, 100000),
			coalesce((SELECT group_concat(DISTINCT c.title) FROM copies c WHERE c.story_id = s.id AND c.title <> s.title), '')
		FROM stories s WHERE s.id = NEW.story_id;
END;
CREATE TRIGGER copy_fts_update AFTER UPDATE OF title, story_id ON copies
	WHEN OLD.title IS NOT NEW.title OR OLD.story_id <> NEW.story_id BEGIN
	DELETE FROM story_fts WHERE rowid IN (OLD.story_id, NEW.story_id);
	INSERT INTO story_fts (rowid, title, body, headlines)
		SELECT s.id, s.title, substr(s.text, 1, 100000),
			coalesce((SELECT group_concat(DISTINCT c.title) FROM copies c WHERE c.story_id = s.id AND c.title <> s.title), '')
		FROM stories s WHERE s.id IN (OLD.story_id, NEW.story_id);
END;
CREATE TRIGGER copy_fts_delete AFTER DELETE ON copies
	WHEN NOT EXISTS (SELECT 1 FROM stories WHERE id = OLD.story_id AND title = OLD.title)
		AND NOT EXISTS (SELECT 1 FROM copies WHERE story_id = OLD.story_id AND title = OLD.title) BEGIN
	DELETE FROM story_fts WHERE rowid = OLD.story_id;
	INSERT INTO story_fts (rowid, title, body, headlines)
		SELECT s.id, s.title, substr(s.text, 1, 100000),
			coalesce((SELECT group_concat(DISTINCT c.title) FROM copies c WHERE c.story_id = s.id AND c.title <> s.title), '')
		FROM stories s WHERE s.id = OLD.story_id;
END;
