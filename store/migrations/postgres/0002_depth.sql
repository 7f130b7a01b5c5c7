-- Discovery depth of feed, sitemap and home-page jobs: a seed is 0, a feed or
-- sitemap found through another is one deeper. The crawler stops following
-- at crawler.max_discovery_depth, so a server cannot extend a chain for ever.
ALTER TABLE frontier ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
