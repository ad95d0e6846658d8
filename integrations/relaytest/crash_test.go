package relaytest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// crashSize is the load of one crash test run.
type crashSize struct {
	Events, Alerts, Keys, Senders, Kills int
}

var (
	// crashCI is the size `go test ./...` runs: a few dozen seconds.
	crashCI = crashSize{Events: 300, Alerts: 10, Keys: 3, Senders: 5, Kills: 5}
	// crashFull is issue 21's: make relay-crash.
	crashFull = crashSize{Events: 2000, Alerts: 50, Keys: 5, Senders: 16, Kills: 30}
)

// Environment of the crash test.
const (
	// crashSizeEnv set to "full" runs the full size (make relay-crash).
	crashSizeEnv = "FLUXPD_RELAY_CRASH"
	// crashSeedEnv replays a run: its seed is logged.
	crashSeedEnv = "FLUXPD_RELAY_CRASH_SEED"
)

// crashSizeFromEnv returns the size $FLUXPD_RELAY_CRASH asks for.
func crashSizeFromEnv(t *testing.T) crashSize {
	switch v := os.Getenv(crashSizeEnv); v {
	case "", "ci":
		return crashCI
	case "full":
		return crashFull
	default:
		t.Fatalf("$%s=%q: want full (issue 21's size: %+v) or ci (the default: %+v)", crashSizeEnv, v, crashFull, crashCI)
	}
	return crashSize{}
}

// crashSeed returns $FLUXPD_RELAY_CRASH_SEED, or a new seed.
func crashSeed(t *testing.T) uint64 {
	s := os.Getenv(crashSeedEnv)
	if s == "" {
		return rand.Uint64()
	}
	seed, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("$%s=%q: want the unsigned integer a run logged", crashSeedEnv, s)
	}
	return seed
}

// crash is one crash test run.
type crash struct {
	size crashSize
	seed uint64
	plan [][]Event
	up   *Upstream
	cfg  RelayConfig // Addr fixed after the first start
	url  string      // the relay's events URL, the same across restarts

	mu        sync.Mutex
	relays    []*Relay // every relay process, the running one last
	kills     []killSpan
	backlogs  []int        // at each kill, events accepted but not yet delivered
	uncertain map[Mark]int // accept attempts that got no answer but may have reached a relay
	retries   int          // accept attempts sent again

	accepted    atomic.Int64
	sendersLeft atomic.Int64 // senders still sending

	lostLook    time.Time // under mu: see lost
	lostRun     int
	killsMissed string // under mu: why the killer stopped early, if it did
}

// TestRelay_Crash sends a load of alert sequences from concurrent senders
// to a relay whose upstream flaps (outages answering 503, 429 or nothing,
// dropped connections, faults) while the relay process is killed with
// SIGKILL at random points of the load and restarted on the same outbox
// file. Then every event answered 202 must reach the emulator, each
// alert's in order, and every duplicate must be explained by a kill.
// drainLimit bounds, before FLUXPD_TEST_TIMEOUT_SCALE, the wait for the
// relay to deliver the whole load after the last kill. Against hangs only:
// the drain takes seconds on a quiet machine, and under a loop of fsyncs
// beside it (make test-loaded) it outlasted testwait's 3 minutes.
const drainLimit = 15 * time.Minute

func TestRelay_Crash(t *testing.T) {
	size := crashSizeFromEnv(t)
	c := &crash{size: size, seed: crashSeed(t), plan: Load(size.Events, size.Alerts, size.Keys), uncertain: map[Mark]int{}}
	t.Logf("crash test: %d events over %d alerts and %d routing keys, %d senders, %d kills; seed %d (%s=%d replays it)",
		size.Events, size.Alerts, size.Keys, size.Senders, size.Kills, c.seed, crashSeedEnv, c.seed)
	c.up = startUpstream(t, emulator.Options{})
	c.cfg = RelayConfig{
		Bin: fluxpdBin(t), Outbox: filepath.Join(t.TempDir(), "relay.db"), Upstream: c.up.URL,
		Args: []string{"--rate", "off"}, Env: relayEnv, Limit: testwait.Limit(), Secrets: RoutingKeys(size.Keys),
	}
	first := c.start(t)
	c.cfg.Addr, c.url = first.HostPort(), first.URL+emulator.EventsPath
	t.Cleanup(func() { c.killAll() })

	start := time.Now()
	c.runLoad(t)
	loaded := time.Since(start)
	// Hundreds of events, each a few fsyncs, on a disk other writers may
	// keep busy: a wait bounded well beyond one event's.
	testwait.UntilWithin(t, testwait.Scaled(drainLimit), "every event answered 202 to reach the emulator, or the relay to have nothing left to deliver", func() (bool, string) {
		n := c.up.Delivered()
		return n == size.Events || c.lost(), fmt.Sprintf("%d of %d events answered 202 by the emulator", n, size.Events)
	})
	if c.up.Delivered() == size.Events {
		c.awaitNothingPending(t)
	} else {
		t.Errorf("the relay has nothing left to deliver, but only %d of the %d events it answered 202 reached the emulator", c.up.Delivered(), size.Events)
	}
	drained := time.Since(start)
	last := c.current()
	stopRelay(t, last)
	for _, r := range c.relays[:len(c.relays)-1] {
		if n := r.LeakedSecrets(); n > 0 {
			t.Errorf("a killed relay's output shows %d routing keys unmasked", n)
		}
	}
	rep := analyze(c.plan, c.up.Requests(), c.kills, c.uncertain)
	c.log(t, rep, loaded, drained)
	for _, p := range rep.Problems {
		t.Error(p)
	}
	if c.killsMissed != "" {
		t.Error(c.killsMissed)
	}
}

// start starts a relay on c.cfg and makes it the current one.
func (c *crash) start(t *testing.T) *Relay {
	t.Helper()
	r, err := StartRelay(c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.relays = append(c.relays, r)
	c.mu.Unlock()
	return r
}

func (c *crash) current() *Relay {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.relays[len(c.relays)-1]
}

func (c *crash) killAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.relays {
		if !r.Exited() {
			_ = r.Kill()
		}
	}
}

// awaitNothingPending waits for the relay's own count of waiting events,
// fluxpd_relay_pending, to reach 0: it knows it delivered them all.
func (c *crash) awaitNothingPending(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: testwait.Limit()}
	url := c.current().URL + "/metrics"
	testwait.Until(t, "the relay's fluxpd_relay_pending to reach 0", func() (bool, string) {
		m, err := Scrape(client, url)
		if err != nil {
			return false, err.Error()
		}
		v, ok := m.Sum("fluxpd_relay_pending")
		return ok && v == 0, fmt.Sprintf("fluxpd_relay_pending %v (present: %v)", v, ok)
	})
}

// log reports the run's figures.
func (c *crash) log(t *testing.T, rep crashReport, loaded, drained time.Duration) {
	verdicts := make([]string, 0, len(rep.Verdicts))
	for v, n := range rep.Verdicts {
		verdicts = append(verdicts, fmt.Sprintf("%s %d", v, n))
	}
	slices.Sort(verdicts)
	t.Logf("crash test figures (seed %d):\n"+
		"  events answered 202 by the relay: %d (%d alerts, %d routing keys, %d senders); accept attempts sent again: %d, %d of them unanswered after reaching a relay\n"+
		"  relay processes killed with SIGKILL: %d, restarted on the same outbox file: %d; events accepted but not yet delivered at a kill: %s\n"+
		"  requests the emulator received: %d (%v)\n"+
		"  events that reached the emulator: %d of %d; copies answered 202: %d\n"+
		"  duplicates: %d, all in flight at a kill: %d deliveries (the earliest arrived %s before its kill), %d accepts; problems: %d\n"+
		"  load sent in %s; the waiting for deliveries ended %s after the start",
		c.seed, rep.Planned, c.size.Alerts, c.size.Keys, c.size.Senders, c.retries, sumValues(c.uncertain),
		len(c.kills), len(c.relays)-1, spread(c.backlogs), rep.Requests, verdicts, rep.Delivered, rep.Planned, rep.Copies,
		rep.Copies-rep.Delivered, rep.DupDelivery, rep.DupLead.Round(time.Millisecond), rep.DupAccept, len(rep.Problems),
		loaded.Round(time.Millisecond), drained.Round(time.Millisecond))
}

// spread describes a few counts: the least, the median and the most.
func spread(v []int) string {
	if len(v) == 0 {
		return "none"
	}
	s := slices.Sorted(slices.Values(v))
	return fmt.Sprintf("min %d, median %d, max %d", s[0], s[len(s)/2], s[len(s)-1])
}

func sumValues(m map[Mark]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// loadContext bounds the load's senders, killer and flapper: a bound
// against hangs that grows with the load, never a speed target.
func (c *crash) loadContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), testwait.Limit()*time.Duration(1+c.size.Events/1000))
}
