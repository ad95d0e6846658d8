package relay

import (
	"errors"
	"sync"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// A committer stores accepted events in the outbox and returns once they
// are committed and fsynced, so that a 202 is never answered for an event
// a crash could lose.
type committer interface {
	commit(e outbox.Entry) (uint64, error)
	close()
}

// errStopping: the relay is stopping and commits no more events.
var errStopping = errors.New("the relay is stopping")

func newCommitter(ob *outbox.Outbox, group bool, m *metrics) committer {
	if !group {
		return &eachCommitter{ob: ob, m: m}
	}
	g := &groupCommitter{ob: ob, m: m, reqs: make(chan *commitReq, groupQueue), done: make(chan struct{})}
	go g.run()
	return g
}

// eachCommitter commits each event in its own transaction, with its own
// fsync: go-pdagent's design, kept for comparison (--commit=each).
type eachCommitter struct {
	ob *outbox.Outbox
	m  *metrics
}

func (c *eachCommitter) commit(e outbox.Entry) (uint64, error) {
	id, err := c.ob.Enqueue(e)
	if err == nil {
		c.m.commits.Inc()
	}
	return id, err
}

func (c *eachCommitter) close() {}

// Group commit: the events of requests that arrive while a commit is
// being written go into the next transaction together, one fsync for all
// of them. No request waits for company: the first event of a batch is
// committed at once, and the batch grows only with the requests that
// queued up meanwhile.
const (
	// groupQueue is how many requests may wait for the next commit
	// without blocking their handlers.
	groupQueue = 4096
	// maxBatch and maxBatchBytes bound one transaction.
	maxBatch      = 1024
	maxBatchBytes = 16 << 20
)

type groupCommitter struct {
	ob   *outbox.Outbox
	m    *metrics
	mu   sync.RWMutex // guards closed against sends on reqs
	shut bool
	reqs chan *commitReq
	done chan struct{}
}

// commitReq is one event waiting for its commit.
type commitReq struct {
	e    outbox.Entry
	id   uint64
	err  error
	done chan struct{}
}

func (g *groupCommitter) commit(e outbox.Entry) (uint64, error) {
	r := &commitReq{e: e, done: make(chan struct{})}
	g.mu.RLock()
	if g.shut {
		g.mu.RUnlock()
		return 0, errStopping
	}
	g.reqs <- r
	g.mu.RUnlock()
	<-r.done
	return r.id, r.err
}

// run commits batches until close.
func (g *groupCommitter) run() {
	defer close(g.done)
	for first := range g.reqs {
		batch := g.gather(first)
		entries := make([]outbox.Entry, len(batch))
		for i, r := range batch {
			entries[i] = r.e
		}
		ids, err := g.ob.EnqueueBatch(entries)
		if err == nil {
			g.m.commits.Inc()
		}
		for i, r := range batch {
			if err != nil {
				r.err = err
			} else {
				r.id = ids[i]
			}
			close(r.done)
		}
	}
}

// gather returns first and the requests already waiting behind it, within
// the batch bounds.
func (g *groupCommitter) gather(first *commitReq) []*commitReq {
	batch := []*commitReq{first}
	size := len(first.e.Body)
	for len(batch) < maxBatch && size < maxBatchBytes {
		select {
		case r, ok := <-g.reqs:
			if !ok {
				return batch
			}
			batch = append(batch, r)
			size += len(r.e.Body)
		default:
			return batch
		}
	}
	return batch
}

// close commits what waits and stops.
func (g *groupCommitter) close() {
	g.mu.Lock()
	if !g.shut {
		g.shut = true
		close(g.reqs)
	}
	g.mu.Unlock()
	<-g.done
}
