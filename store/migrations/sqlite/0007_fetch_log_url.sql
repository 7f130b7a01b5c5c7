-- The serve UI's feed health reads each feed's latest fetch-log line.
CREATE INDEX fetch_log_url ON fetch_log (url, id);
