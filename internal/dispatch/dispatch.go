// Package dispatch runs jobs concurrently with a bound on how many run at
// once, while jobs that share a key run one at a time in the order given.
//
// fluxpd uses it to send the events of many rows at once without letting a
// resolve overtake the trigger it resolves: both carry the same dedup key,
// so they run in input order, while events of other alerts proceed beside
// them. It has no Flux or HTTP dependency.
package dispatch

import (
	"context"
	"sync"
)

// Group runs jobs handed to it one by one, as they come: a job starts as
// soon as no earlier job of its key is pending and fewer than the limit are
// running. Jobs with equal keys run one after another in the order they
// were handed over; jobs with different keys may run concurrently. Keys
// waiting for a worker are served in the order they became ready. The empty
// string is a key like any other.
//
// A Group is used by one goroutine, which calls Go and Wait; the jobs run on
// goroutines of their own. Wait may be called any number of times, and Go
// again after it.
type Group struct {
	ctx   context.Context
	limit int
	wg    sync.WaitGroup // jobs handed over and not yet finished

	mu      sync.Mutex
	queues  map[string][]func(context.Context) // jobs not yet started, per key with a worker or waiting for one
	ready   []string                           // keys waiting for a worker, oldest first
	running int                                // workers
	skipped bool                               // a job was skipped because ctx was done
}

// NewGroup returns a Group running at most limit jobs at once (limit < 1
// counts as 1). Once ctx is done, jobs not yet started are skipped.
func NewGroup(ctx context.Context, limit int) *Group {
	return &Group{ctx: ctx, limit: max(limit, 1), queues: make(map[string][]func(context.Context))}
}

// Go hands over job, to run with the Group's context after every job of
// the same key handed over before it. It does not wait.
func (g *Group) Go(key string, job func(ctx context.Context)) {
	g.wg.Add(1)
	g.mu.Lock()
	defer g.mu.Unlock()
	q, busy := g.queues[key]
	g.queues[key] = append(q, job)
	switch {
	case busy: // the key's worker, or its place in ready, will get to it
	case g.running < g.limit:
		g.running++
		go g.work(key)
	default:
		g.ready = append(g.ready, key)
	}
}

// Wait returns when every job handed over has finished or been skipped. It
// returns the context's error if a job was skipped, else nil.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.skipped {
		g.skipped = false
		return g.ctx.Err()
	}
	return nil
}

// work runs the jobs of key until its queue is empty, then those of the
// next ready key, until no key is ready.
func (g *Group) work(key string) {
	for {
		job, ok := g.next(&key)
		if !ok {
			return
		}
		if g.ctx.Err() != nil {
			g.skip()
		} else {
			job(g.ctx)
		}
		g.wg.Done()
	}
}

// next takes the next job of *key, moving on to the next ready key when
// *key has none; false means the worker should stop.
func (g *Group) next(key *string) (func(context.Context), bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		if q := g.queues[*key]; len(q) > 0 {
			job := q[0]
			q[0] = nil // let the job be collected once it has run
			g.queues[*key] = q[1:]
			return job, true
		}
		delete(g.queues, *key)
		if len(g.ready) == 0 {
			g.running--
			return nil, false
		}
		*key, g.ready = g.ready[0], g.ready[1:]
	}
}

func (g *Group) skip() {
	g.mu.Lock()
	g.skipped = true
	g.mu.Unlock()
}
