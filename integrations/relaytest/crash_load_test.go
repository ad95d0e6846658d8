package relaytest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// Pauses of the load. None is a wait for something to happen: they shape
// the load (how often a sender knocks on a relay being restarted, how
// long the upstream stays down or up, how far into a request a kill
// lands).
const (
	// resendPause is a sender's pause before sending an unanswered event
	// again (the relay is down, being restarted).
	resendPause = 5 * time.Millisecond
	// progressPoll is how often the killer looks at the load's progress.
	progressPoll = 2 * time.Millisecond
	// maxKillJitter is the most the killer waits once its point of the
	// load is reached, so that kills land anywhere in a request.
	maxKillJitter = 15 * time.Millisecond
)

// Points of the load where the relay is killed, as fractions of the
// load's progress (events accepted plus events delivered, over twice the
// events): spread over the accepting and the delivering, none at the very
// end.
const (
	firstKillAt = 0.02
	lastKillAt  = 0.95
)

// runLoad runs the senders, the killer and the flapper, and returns once
// every event was answered 202 and every kill done. It fails the test with
// the first error of any of them.
func (c *crash) runLoad(t *testing.T) {
	t.Helper()
	ctx, cancel := c.loadContext()
	defer cancel()
	errs := make(chan error, c.size.Senders+1)
	var wg sync.WaitGroup
	c.sendersLeft.Store(int64(c.size.Senders))
	for s := range c.size.Senders {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- c.sender(ctx, s); c.sendersLeft.Add(-1) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); errs <- c.killer(ctx) }()
	stopFlap := make(chan struct{})
	flapped := make(chan struct{})
	go func() { defer close(flapped); c.flap(stopFlap) }()
	go func() { wg.Wait(); close(errs) }()
	var first error
	for err := range errs {
		if err != nil && first == nil {
			first = err
			cancel() // the others stop too
		}
	}
	close(stopFlap)
	<-flapped
	c.up.EndOutage()
	if first != nil {
		t.Fatal(redact.String(first.Error(), c.cfg.Secrets...))
	}
}

// sender sends the events of its alerts (every alert a with a mod
// Senders == s), each alert's in order, picking the next alert at random.
func (c *crash) sender(ctx context.Context, s int) error {
	rng := rand.New(rand.NewPCG(c.seed, uint64(s)+1))
	var queues [][]Event
	for a := s; a < len(c.plan); a += c.size.Senders {
		queues = append(queues, c.plan[a])
	}
	client := &http.Client{Timeout: testwait.Limit()}
	for len(queues) > 0 {
		i := rng.IntN(len(queues))
		if err := c.send(ctx, client, queues[i][0]); err != nil {
			return err
		}
		if queues[i] = queues[i][1:]; len(queues[i]) == 0 {
			queues = slices.Delete(queues, i, i+1)
		}
	}
	return nil
}

// send posts ev until the relay answers 202, and keeps count of the
// attempts that got no answer after reaching a relay: the relay may have
// stored the event before it was killed, and then delivers it twice.
func (c *crash) send(ctx context.Context, client *http.Client, ev Event) error {
	body := ev.Body()
	for {
		ans, err := Post(ctx, client, c.url, body)
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("%s was still not answered 202 when the load's bound passed: %w", ev.Mark, ctx.Err())
		case err == nil && ans.Status == http.StatusAccepted:
			if !bytes.Contains(ans.Body, []byte(`"dedup_key":"`+ev.DedupKey+`"`)) {
				return fmt.Errorf("the relay answered %s 202 with %s, want PagerDuty's success body with its dedup key %q", ev.Mark, ans.Body, ev.DedupKey)
			}
			c.accepted.Add(1)
			return nil
		case err == nil && ans.Status < http.StatusInternalServerError:
			return fmt.Errorf("the relay answered %s %d %s, want 202", ev.Mark, ans.Status, ans.Body)
		}
		c.mu.Lock()
		c.retries++
		if err != nil && !NeverArrived(err) {
			c.uncertain[ev.Mark]++
		}
		c.mu.Unlock()
		time.Sleep(resendPause)
	}
}

// progress is how far the load is: events accepted plus events delivered.
func (c *crash) progress() int { return int(c.accepted.Load()) + c.up.Delivered() }

// killer kills the relay with SIGKILL at Kills random points of the load
// and restarts it on the same file and address each time.
func (c *crash) killer(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(c.seed, 0))
	total := 2 * c.size.Events
	points := make([]int, c.size.Kills)
	for i := range points {
		points[i] = int((firstKillAt + rng.Float64()*(lastKillAt-firstKillAt)) * float64(total))
	}
	slices.Sort(points)
	for i, p := range points {
		// At least one step of the load between two kills, so that a kill
		// never lands on a relay that has not done anything yet.
		reached, err := c.await(ctx, max(p, c.progress()+1))
		if err != nil || !reached {
			if err == nil {
				err = errors.New("the load can go no further")
			}
			c.mu.Lock()
			c.killsMissed = fmt.Sprintf("kill %d of %d not done: %v", i+1, len(points), err)
			c.mu.Unlock()
			return nil // the checks say what is missing
		}
		time.Sleep(time.Duration(rng.Int64N(int64(maxKillJitter))))
		if err := c.killAndRestart(); err != nil {
			return fmt.Errorf("kill %d of %d: %w", i+1, len(points), err)
		}
	}
	return nil
}

// await waits until the load's progress reaches want. It returns false
// when it never can: every event was delivered already, or the senders
// are done and the relay has nothing left to deliver while events it
// answered 202 have not arrived (lost). The load's bound passing is an
// error.
func (c *crash) await(ctx context.Context, want int) (bool, error) {
	for c.progress() < want {
		switch {
		case c.progress() >= 2*c.size.Events:
			return false, nil
		case c.sendersLeft.Load() == 0 && c.lost():
			return false, fmt.Errorf("the relay has nothing left to deliver, but only %d of the %d events it answered 202 reached the emulator", c.up.Delivered(), c.accepted.Load())
		case ctx.Err() != nil:
			return false, fmt.Errorf("the load's bound passed at progress %d of %d, waiting for %d", c.progress(), 2*c.size.Events, want)
		}
		time.Sleep(progressPoll)
	}
	return true, nil
}

// killAndRestart kills the current relay with SIGKILL, waits until it is
// gone, and starts another on the same outbox file and address.
func (c *crash) killAndRestart() error {
	r := c.current()
	backlog := int(c.accepted.Load()) - c.up.Delivered() // accepted, not yet delivered
	from := time.Now()
	if err := r.Kill(); err != nil {
		return err
	}
	span := killSpan{From: from, To: time.Now()}
	c.mu.Lock()
	c.kills = append(c.kills, span)
	c.backlogs = append(c.backlogs, backlog)
	c.mu.Unlock()
	next, err := StartRelay(c.cfg)
	if err != nil {
		return errors.Join(errors.New("restarting the relay on the same outbox file"), err)
	}
	c.mu.Lock()
	c.relays = append(c.relays, next)
	c.mu.Unlock()
	return nil
}
