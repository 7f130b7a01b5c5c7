-- A host held by one request of a crawler process (holder) until busy_until:
-- another process does not send it a request before then. A hold is extended
-- while its request runs and, once answered, ends with busy_until set to the
-- answer's time plus the host's delay, so that the per-host limit and delay
-- hold across the processes of a fleet. A crashed holder's hold expires.
ALTER TABLE hosts ADD COLUMN busy_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE hosts ADD COLUMN busy_until BIGINT NOT NULL DEFAULT 0;
