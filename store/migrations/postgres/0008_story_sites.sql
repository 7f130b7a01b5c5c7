-- The site filter (export --site, the API's site=): which stories have a
-- copy on a site, as the filter names it: a copy's site in lower case, or
-- its host. One row per story and name, kept by the triggers below in the
-- transaction that writes the copy, so that a filtered page is an index
-- range in story order instead of a probe of every story's copies.
CREATE TABLE story_sites (
	site     TEXT   NOT NULL,
	story_id BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
	PRIMARY KEY (site, story_id)
);
CREATE INDEX story_sites_story ON story_sites (story_id);
INSERT INTO story_sites (site, story_id)
	SELECT lower(site), story_id FROM copies WHERE site <> ''
	UNION SELECT host, story_id FROM copies WHERE host <> ''
	ON CONFLICT DO NOTHING;

CREATE FUNCTION story_sites_add(sid BIGINT, copy_site TEXT, copy_host TEXT) RETURNS void LANGUAGE sql AS $$
	INSERT INTO story_sites (site, story_id)
		SELECT lower(copy_site), sid WHERE copy_site <> ''
		UNION SELECT copy_host, sid WHERE copy_host <> ''
		ON CONFLICT DO NOTHING
$$;
-- A name leaves a story when its last copy of that name does.
CREATE FUNCTION story_sites_drop(sid BIGINT, copy_site TEXT, copy_host TEXT) RETURNS void LANGUAGE sql AS $$
	DELETE FROM story_sites s WHERE s.story_id = sid AND s.site IN (lower(copy_site), copy_host)
		AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.story_id = sid AND (lower(c.site) = s.site OR c.host = s.site))
$$;
CREATE FUNCTION story_sites_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM story_sites_drop(OLD.story_id, OLD.site, OLD.host);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		PERFORM story_sites_add(NEW.story_id, NEW.site, NEW.host);
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER story_sites_copy_insert AFTER INSERT OR DELETE ON copies
	FOR EACH ROW EXECUTE FUNCTION story_sites_copy();
CREATE TRIGGER story_sites_copy_update AFTER UPDATE OF site, host, story_id ON copies
	FOR EACH ROW WHEN (OLD.site IS DISTINCT FROM NEW.site OR OLD.host IS DISTINCT FROM NEW.host OR OLD.story_id <> NEW.story_id)
	EXECUTE FUNCTION story_sites_copy();

-- The stats page's copies per day reads the latest days only, from this
-- index alone: copies by their publication time, or their fetch time when
-- that is unknown, with their site.
CREATE INDEX copies_when ON copies ((CASE WHEN published = 0 THEN fetched_at ELSE published END), site);

-- The stats page counts stories and copies per site, and first
-- publications per site: both from an index alone rather than a scan of
-- every copy or story (at 100,000 stories on PostgreSQL, 1.4 s and 0.35 s).
CREATE INDEX copies_site ON copies (site, story_id);
CREATE INDEX stories_first_publisher ON stories (first_publisher);
