package crawler

import (
	"context"
	"sort"
	"sync"
	"time"
)

// jobState is a frontier job's lifecycle state.
type jobState int

const (
	stateQueued jobState = iota
	stateLeased
	stateDone
	stateFailed
)

type memJob struct {
	job     Job
	state   jobState
	owner   string
	expires time.Time
	seq     int64
	class   string
}

type memRobots struct {
	body    []byte
	status  int
	fetched time.Time
}

// MemoryState is an in-memory State for tests and one-off runs. It is safe for
// concurrent use by the goroutines of one process; it is not durable. Carry a
// MemoryState from one Crawl to the next to get incremental behaviour.
type MemoryState struct {
	mu     sync.Mutex
	jobs   map[string]*memJob
	active map[string]*memJob // queued or leased
	seq    int64
	feeds  map[string]FeedState
	robots map[string]memRobots
	hosts  map[string]time.Time
	log    []FetchRecord
}

// NewMemoryState returns an empty MemoryState.
func NewMemoryState() *MemoryState {
	return &MemoryState{
		jobs:   make(map[string]*memJob),
		active: make(map[string]*memJob),
		feeds:  make(map[string]FeedState),
		robots: make(map[string]memRobots),
		hosts:  make(map[string]time.Time),
	}
}

// Enqueue implements State.
func (m *MemoryState) Enqueue(ctx context.Context, jobs []Job) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	added := 0
	for _, j := range jobs {
		if _, ok := m.jobs[j.URL]; ok || j.URL == "" {
			continue
		}
		m.seq++
		mj := &memJob{job: j, state: stateQueued, seq: m.seq}
		m.jobs[j.URL] = mj
		m.active[j.URL] = mj
		added++
	}
	return added, nil
}

// Requeue implements State.
func (m *MemoryState) Requeue(ctx context.Context, urls []string, notBefore time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range urls {
		j, ok := m.jobs[u]
		if !ok || (j.state == stateLeased && time.Now().Before(j.expires)) {
			continue
		}
		j.state = stateQueued
		m.active[u] = j
		j.owner = ""
		j.job.NotBefore = notBefore
		j.job.Attempts = 0
		j.class = ""
	}
	return nil
}

// Lease implements State. Jobs come out in NotBefore order, then insertion
// order.
func (m *MemoryState) Lease(ctx context.Context, owner string, n int, now time.Time, ttl time.Duration) ([]Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Keep the n earliest (NotBefore, then insertion order) in a small
	// sorted slice: one pass over the active jobs, no full sort.
	less := func(a, b *memJob) bool {
		if !a.job.NotBefore.Equal(b.job.NotBefore) {
			return a.job.NotBefore.Before(b.job.NotBefore)
		}
		return a.seq < b.seq
	}
	cand := make([]*memJob, 0, n)
	for _, j := range m.active {
		switch {
		case j.state == stateQueued && !j.job.NotBefore.After(now):
		case j.state == stateLeased && !j.expires.After(now):
		default:
			continue
		}
		if len(cand) == n && !less(j, cand[n-1]) {
			continue
		}
		i := sort.Search(len(cand), func(i int) bool { return less(j, cand[i]) })
		if len(cand) < n {
			cand = append(cand, nil)
		}
		copy(cand[i+1:], cand[i:len(cand)-1])
		cand[i] = j
	}
	out := make([]Job, 0, len(cand))
	for _, j := range cand {
		j.state = stateLeased
		j.owner = owner
		j.expires = now.Add(ttl)
		out = append(out, j.job)
	}
	return out, nil
}

// Retry implements State.
func (m *MemoryState) Retry(ctx context.Context, url string, notBefore time.Time, errClass string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[url]
	if !ok || j.state == stateDone || j.state == stateFailed {
		return nil
	}
	j.state = stateQueued
	j.owner = ""
	j.job.Attempts++
	j.job.NotBefore = notBefore
	j.class = errClass
	return nil
}

// Finish implements State. Finishing an unknown URL records it as done.
func (m *MemoryState) Finish(ctx context.Context, url string, errClass string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[url]
	if !ok {
		m.seq++
		j = &memJob{job: Job{URL: url, Host: hostOf(url), Kind: KindArticle}, seq: m.seq}
		m.jobs[url] = j
	}
	if j.state == stateDone {
		return nil // finishing twice is harmless
	}
	delete(m.active, url)
	j.job.Item = nil // a finished job's feed content is not needed again
	j.owner = ""
	j.class = errClass
	if errClass == "" {
		j.state = stateDone
	} else {
		j.state = stateFailed
	}
	return nil
}

// Pending implements State.
func (m *MemoryState) Pending(ctx context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.active), nil
}

// Seen implements State.
func (m *MemoryState) Seen(ctx context.Context, url string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[url]
	return ok && (j.state == stateDone || j.state == stateFailed), nil
}

// Feed implements State.
func (m *MemoryState) Feed(ctx context.Context, url string) (FeedState, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.feeds[url]
	return st, ok, nil
}

// SaveFeed implements State.
func (m *MemoryState) SaveFeed(ctx context.Context, st FeedState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feeds[st.URL] = st
	return nil
}

// Robots implements State.
func (m *MemoryState) Robots(ctx context.Context, host string) ([]byte, int, time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.robots[host]
	return r.body, r.status, r.fetched, ok, nil
}

// SaveRobots implements State.
func (m *MemoryState) SaveRobots(ctx context.Context, host string, body []byte, status int, fetched time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.robots[host] = memRobots{body: append([]byte(nil), body...), status: status, fetched: fetched}
	return nil
}

// ReserveHost implements State.
func (m *MemoryState) ReserveHost(ctx context.Context, host string, now time.Time, delay time.Duration) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot := now
	if next, ok := m.hosts[host]; ok && next.After(slot) {
		slot = next
	}
	m.hosts[host] = slot.Add(delay)
	return slot, nil
}

// LogFetch implements State. The log is kept in memory; see FetchLog.
func (m *MemoryState) LogFetch(ctx context.Context, rec FetchRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = append(m.log, rec)
	return nil
}

// FetchLog returns a copy of the fetch log so far.
func (m *MemoryState) FetchLog() []FetchRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]FetchRecord(nil), m.log...)
}

// JobStatus reports a URL's frontier state ("queued", "leased", "done",
// "failed", or "" if unknown) and its error class; for tests and debugging.
func (m *MemoryState) JobStatus(url string) (state, errClass string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[url]
	if !ok {
		return "", ""
	}
	return [...]string{"queued", "leased", "done", "failed"}[j.state], j.class
}

var _ State = (*MemoryState)(nil)
