package crawler

import (
	"log/slog"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// NewAsOwnProcess returns a Crawler that shares nothing in memory with the
// others of this process (its per-host semaphores are its own), as one in
// another process would: tests of politeness across processes use it.
func NewAsOwnProcess(cfg Config, st frontier.State, log *slog.Logger) (*Crawler, error) {
	c, err := New(cfg, st, log)
	if err != nil {
		return nil, err
	}
	c.hosts = newHostSems()
	return c, nil
}
