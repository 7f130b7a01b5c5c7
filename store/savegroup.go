package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wirecrawl/wirecrawl/dedup"
)

// maxSaveGroup bounds the pages one write transaction stores: each is a
// savepoint, and PostgreSQL slows down once a transaction holds more than
// 64 subtransactions (its per-backend subtransaction cache overflows).
const maxSaveGroup = 32

// saveReq is one SavePage call waiting for, or stored by, a group commit.
type saveReq struct {
	ctx    context.Context
	decide func(ctx context.Context, idx dedup.Index) (Page, error)

	// wake is closed when the request is done (done set) or when its
	// caller is to lead the next group.
	wake chan struct{}
	led  bool // wake was closed to make it lead
	done bool
	id   int64
	dec  dedup.Decision
	err  error
}

// saveQueue holds the SavePage calls waiting for the writer.
type saveQueue struct {
	reqs []*saveReq
	busy bool // a leader is storing a group
}

// SavePage stores one decided page; see Store. The calls that arrive while
// another group is being written are stored together, each page in its own
// savepoint, in one transaction (group commit): a commit and the pages many
// pages write alike (the tails of stories, copies and the frontier's
// indexes, the full-text index's structure) are written once per group
// instead of once per page (commits were a sixth of a 50k-page crawl's CPU).
// Each page is still atomic (an error rolls back its savepoint only), and
// no call returns before the transaction holding its page committed, so a
// page whose SavePage returned is stored.
func (s *db) SavePage(ctx context.Context, decide func(ctx context.Context, idx dedup.Index) (Page, error)) (int64, dedup.Decision, error) {
	if err := ctx.Err(); err != nil {
		return 0, dedup.Decision{}, fmt.Errorf("store: save page: %w", err)
	}
	r := &saveReq{ctx: ctx, decide: decide, wake: make(chan struct{})}
	s.saveMu.Lock()
	s.saves.reqs = append(s.saves.reqs, r)
	lead := !s.saves.busy
	s.saves.busy = true
	s.saveMu.Unlock()
	if !lead {
		<-r.wake
	}
	if !r.done {
		s.leadGroup()
	}
	return r.id, r.dec, r.err
}

// leadGroup stores the waiting requests (the leader's own among them) as
// one group, wakes them, and hands the lead to the next waiting request.
func (s *db) leadGroup() {
	s.saveMu.Lock()
	n := min(len(s.saves.reqs), maxSaveGroup)
	group := s.saves.reqs[:n:n]
	s.saves.reqs = s.saves.reqs[n:]
	s.saveMu.Unlock()

	s.saveGroup(group)
	for _, r := range group {
		r.done = true
		if !r.led {
			close(r.wake)
		}
	}

	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	if len(s.saves.reqs) == 0 {
		s.saves.busy = false
		s.saves.reqs = nil
		return
	}
	next := s.saves.reqs[0]
	next.led = true
	close(next.wake) // not done: it leads the next group
}

// saveGroup stores group's pages in one transaction, setting each request's
// result. The transaction runs on a context its requests' cancellation
// does not reach (a cancelled statement would roll back the others' pages
// too); a request cancelled before its turn is not stored.
func (s *db) saveGroup(group []*saveReq) {
	ctx := context.WithoutCancel(group[0].ctx)
	fail := func(err error) {
		for _, r := range group {
			if r.err == nil {
				r.id, r.dec, r.err = 0, dedup.Decision{}, err
			}
		}
	}
	tx, err := s.beginLocked(ctx)
	if err != nil {
		fail(fmt.Errorf("store: save page: begin: %w", err))
		return
	}
	stored := 0
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = fmt.Errorf("store: save page: %w", err)
			continue
		}
		ok, err := s.saveOne(ctx, tx, r, len(group) > 1)
		if err != nil { // the transaction is unusable
			_ = s.finish(ctx, tx, err)
			fail(err)
			return
		}
		if ok {
			stored++
		}
	}
	if stored == 0 {
		_ = tx.Rollback()
		s.prepareWanted(ctx)
		return
	}
	if err := s.finish(ctx, tx, nil); err != nil {
		fail(fmt.Errorf("store: save page: %w", err))
	}
}

// saveOne decides and writes r's page in tx, inside a savepoint when
// savepoint is set, and reports whether it wrote it. r.err gets the page's
// own error (its savepoint rolled back); the error returned means the
// transaction cannot go on.
func (s *db) saveOne(ctx context.Context, tx *sql.Tx, r *saveReq, savepoint bool) (bool, error) {
	if savepoint {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT save_page`); err != nil {
			return false, fmt.Errorf("store: save page: savepoint: %w", err)
		}
	}
	p, err := r.decide(ctx, index{s, s.in(tx)})
	if err == nil {
		r.id, err = s.savePage(ctx, tx, &p)
		if err != nil {
			err = fmt.Errorf("store: save page %s: %w", p.Doc.URL, err)
		}
	}
	if err != nil {
		r.id, r.err = 0, err
		if !savepoint {
			return false, err
		}
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT save_page`); rerr != nil {
			return false, fmt.Errorf("store: save page: roll back to savepoint: %w (after: %w)", rerr, err)
		}
	} else {
		r.dec = p.Decision
	}
	if savepoint {
		if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT save_page`); err != nil {
			return false, fmt.Errorf("store: save page: release savepoint: %w", err)
		}
	}
	return r.err == nil, nil
}
