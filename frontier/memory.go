package frontier

import (
	"container/heap"
	"context"
	"slices"
	"strings"
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
	gen     int64 // bumped on every state change; heap entries of older gens are stale
}

// heapEntry is a job in one of MemoryState's heaps, valid while gen matches.
type heapEntry struct {
	at  time.Time // NotBefore (queued heap) or lease expiry (leased heap)
	seq int64
	gen int64
	j   *memJob
}

// jobHeap is a min-heap of entries by (at, seq).
type jobHeap []heapEntry

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(a, b int) bool {
	if !h[a].at.Equal(h[b].at) {
		return h[a].at.Before(h[b].at)
	}
	return h[a].seq < h[b].seq
}
func (h jobHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *jobHeap) Push(x any)   { *h = append(*h, x.(heapEntry)) }
func (h *jobHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
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
	queued jobHeap            // queued jobs by NotBefore
	leased jobHeap            // leased jobs by lease expiry
	seq    int64
	feeds  map[string]FeedState
	robots map[string]memRobots
	hosts  map[string]time.Time
	holds  map[string]memHold
	log    []FetchRecord
}

// toQueue (with mu held) makes j queued at its NotBefore.
func (m *MemoryState) toQueue(j *memJob) {
	j.state = stateQueued
	j.owner = ""
	j.gen++
	m.active[j.job.URL] = j
	heap.Push(&m.queued, heapEntry{at: j.job.NotBefore, seq: j.seq, gen: j.gen, j: j})
}

// NewMemoryState returns an empty MemoryState.
func NewMemoryState() *MemoryState {
	return &MemoryState{
		jobs:   make(map[string]*memJob),
		active: make(map[string]*memJob),
		feeds:  make(map[string]FeedState),
		robots: make(map[string]memRobots),
		hosts:  make(map[string]time.Time),
		holds:  make(map[string]memHold),
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
		mj := &memJob{job: j, seq: m.seq}
		m.jobs[j.URL] = mj
		m.toQueue(mj)
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
		if !ok || j.state == stateLeased {
			continue
		}
		j.job.NotBefore = notBefore
		j.job.Attempts = 0
		j.class = ""
		m.toQueue(j)
	}
	return nil
}

// Expedite implements State.
func (m *MemoryState) Expedite(ctx context.Context, urls []string, notBefore time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range urls {
		j, ok := m.jobs[u]
		if !ok || j.state != stateQueued || !j.job.NotBefore.After(notBefore) {
			continue
		}
		j.job.NotBefore = notBefore
		m.toQueue(j)
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
	// Expired leases first (a crashed owner's work), then due queued jobs in
	// NotBefore order; stale heap entries are dropped on the way.
	var out []Job
	take := func(j *memJob) { out = append(out, m.take(j, owner, now, ttl)) }
	var retake []heapEntry
	for len(retake) < n && m.leased.Len() > 0 && !m.leased[0].at.After(now) {
		e := heap.Pop(&m.leased).(heapEntry)
		if e.gen == e.j.gen && e.j.state == stateLeased {
			retake = append(retake, e)
		}
	}
	for _, e := range retake {
		take(e.j)
	}
	for len(out) < n && m.queued.Len() > 0 && !m.queued[0].at.After(now) {
		e := heap.Pop(&m.queued).(heapEntry)
		if e.gen == e.j.gen && e.j.state == stateQueued {
			take(e.j)
		}
	}
	return out, nil
}

// take (with mu held) leases j to owner until now+ttl.
func (m *MemoryState) take(j *memJob, owner string, now time.Time, ttl time.Duration) Job {
	j.state = stateLeased
	j.owner = owner
	j.expires = now.Add(ttl)
	j.gen++
	heap.Push(&m.leased, heapEntry{at: j.expires, seq: j.seq, gen: j.gen, j: j})
	return j.job
}

// LeaseURLs implements State. Jobs come out in NotBefore order, then URL
// order, as from the store.
func (m *MemoryState) LeaseURLs(ctx context.Context, owner string, urls []string, n int, now time.Time, ttl time.Duration) ([]Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var picked []*memJob
	for _, u := range urls {
		if len(picked) >= n {
			break
		}
		j, ok := m.jobs[u]
		if !ok || slices.Contains(picked, j) {
			continue
		}
		if (j.state == stateQueued && !j.job.NotBefore.After(now)) || (j.state == stateLeased && !j.expires.After(now)) {
			picked = append(picked, j)
		}
	}
	out := make([]Job, 0, len(picked))
	for _, j := range picked {
		out = append(out, m.take(j, owner, now, ttl))
	}
	slices.SortFunc(out, func(a, b Job) int {
		if c := a.NotBefore.Compare(b.NotBefore); c != 0 {
			return c
		}
		return strings.Compare(a.URL, b.URL)
	})
	return out, nil
}

// RenewLeases implements State.
func (m *MemoryState) RenewLeases(ctx context.Context, owner string, urls []string, until time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, u := range urls {
		j, ok := m.jobs[u]
		if !ok || j.state != stateLeased || j.owner != owner {
			continue
		}
		j.expires = until
		j.gen++
		heap.Push(&m.leased, heapEntry{at: j.expires, seq: j.seq, gen: j.gen, j: j})
		n++
	}
	return n, nil
}

// Postpone implements State.
func (m *MemoryState) Postpone(ctx context.Context, owner string, urls []string, notBefore time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range urls {
		j, ok := m.jobs[u]
		if !ok || j.state != stateLeased || j.owner != owner {
			continue
		}
		j.owner = ""
		j.job.NotBefore = notBefore
		m.toQueue(j)
	}
	return nil
}

// Unusable implements State: a MemoryState is never unusable.
func (m *MemoryState) Unusable(error) bool { return false }

// Retry implements State.
func (m *MemoryState) Retry(ctx context.Context, url string, notBefore time.Time, errClass string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[url]
	if !ok || j.state == stateDone || j.state == stateFailed {
		return nil
	}
	j.job.Attempts++
	j.job.NotBefore = notBefore
	j.class = errClass
	m.toQueue(j)
	return nil
}

// Finish implements State. Finishing an unknown URL records it as done.
func (m *MemoryState) Finish(ctx context.Context, url string, errClass string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[url]
	if !ok {
		m.seq++
		j = &memJob{job: Job{URL: url, Host: HostOf(url), Kind: KindArticle}, seq: m.seq}
		m.jobs[url] = j
	}
	if j.state == stateDone {
		return nil // finishing twice is harmless
	}
	delete(m.active, url)
	j.gen++
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
func (m *MemoryState) Pending(ctx context.Context, dueBy time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if dueBy.IsZero() {
		return len(m.active), nil
	}
	n := 0
	for _, j := range m.active {
		if j.state == stateLeased || !j.job.NotBefore.After(dueBy) {
			n++
		}
	}
	return n, nil
}

// FailedClass implements State.
func (m *MemoryState) FailedClass(ctx context.Context, url string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if j, ok := m.jobs[url]; ok && j.state == stateFailed {
		return j.class, nil
	}
	return "", nil
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

// HoldHost implements State.
func (m *MemoryState) HoldHost(ctx context.Context, host, holder string, now, until time.Time) (bool, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return false, time.Time{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.holds[host]
	if h.until.After(now) && h.holder != holder {
		return false, h.until, nil
	}
	m.holds[host] = memHold{holder: holder, until: until}
	return true, until, nil
}

// ReleaseHost implements State.
func (m *MemoryState) ReleaseHost(ctx context.Context, host, holder string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h := m.holds[host]; holder != "" && h.holder == holder {
		m.holds[host] = memHold{until: until}
		if until.After(m.hosts[host]) {
			m.hosts[host] = until
		}
	}
	return nil
}

// memHold is a host's hold in MemoryState.
type memHold struct {
	holder string
	until  time.Time
}

// maxMemoryLog bounds MemoryState's fetch log; the older half is dropped
// when it is reached.
const maxMemoryLog = 100000

// LogFetch implements State. The log is kept in memory (the newest
// entries, at most maxMemoryLog); see FetchLog.
func (m *MemoryState) LogFetch(ctx context.Context, rec FetchRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.log) >= maxMemoryLog {
		m.log = append(m.log[:0], m.log[len(m.log)-maxMemoryLog/2:]...)
	}
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
