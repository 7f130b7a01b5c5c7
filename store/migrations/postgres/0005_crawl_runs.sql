-- The crawls that made the data, for the dataset card: one row per distinct
-- (version, command, seeds, configuration), with when it first and last ran
-- and how often.
CREATE TABLE crawl_runs (
	id            BIGSERIAL PRIMARY KEY,
	run_key       TEXT   NOT NULL UNIQUE,
	command       TEXT   NOT NULL DEFAULT '',
	version       TEXT   NOT NULL DEFAULT '',
	seeds         TEXT   NOT NULL DEFAULT '[]',
	config        TEXT   NOT NULL DEFAULT '{}',
	config_sha256 TEXT   NOT NULL DEFAULT '',
	first_run     BIGINT NOT NULL,
	last_run      BIGINT NOT NULL,
	runs          BIGINT NOT NULL DEFAULT 1
);
