package delivery_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// routingKey is a made-up 32-character integration key.
const routingKey = "R0UT1NGK3Y0123456789abcdefABCDEF"

// eventBody is a valid alert event; its routing key must never leak.
var eventBody = []byte(`{"routing_key":"` + routingKey + `","event_action":"trigger","dedup_key":"srv01/HTTP",` +
	`"payload":{"summary":"DISK at 99%","source":"srv01","severity":"critical"}}`)

// Answers as PagerDuty sends them.
const (
	acceptedBody = `{"status":"success","message":"Event processed","dedup_key":"srv01/HTTP"}`
	invalidBody  = `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.source' is missing or blank"]}`
)

// start is the fake clock's initial time.
var start = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// emulatorAccepted is the emulator's answer to eventBody.
const emulatorAccepted = acceptedBody + "\n"

// newEmulator starts a PagerDuty emulator on 127.0.0.1 with faults queued:
// the first requests get the faults, one each, and later ones the
// emulator's own answers.
func newEmulator(t *testing.T, faults ...emulator.Fault) *emulator.Server {
	t.Helper()
	emu := emulatortest.New(t)
	emu.Inject(faults...)
	return emu
}

// times returns n copies of f: a fault that lasts longer than any Send.
func times(n int, f emulator.Fault) []emulator.Fault {
	out := make([]emulator.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// received is what the tests check of one request.
type received struct {
	Method, Path                   string
	ContentType, Accept, UserAgent string
	Body                           string
}

// requests returns what emu received, in arrival order.
func requests(emu *emulator.Server) []received {
	var out []received
	for _, r := range emu.Requests() {
		out = append(out, received{
			Method: r.Method, Path: r.Path, Body: string(r.Body),
			ContentType: r.Header.Get("Content-Type"), Accept: r.Header.Get("Accept"),
			UserAgent: r.Header.Get("User-Agent"),
		})
	}
	return out
}

// fakeClock advances only when slept on, and records the sleeps.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: start} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// half makes jitter deterministic: every backoff is half its ceiling.
func half() float64 { return 0.5 }

// newSender returns a Sender with a fake clock, fixed jitter and its own
// transport, so that tests do not share idle connections. Its policy is
// DefaultPolicy's retries and waits; its timeouts, which bound real time,
// are testwait.Limit for each attempt and twice that for the call (the
// fake clock's time, whose remainder bounds each attempt too), so that no
// verdict depends on how fast the emulator answers on a busy machine.
// Tests of a timeout set their own.
func newSender(t testing.TB, clock delivery.Clock) *delivery.Sender {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	policy := delivery.DefaultPolicy()
	policy.AttemptTimeout, policy.Deadline = testwait.Limit(), 2*testwait.Limit()
	return &delivery.Sender{
		Client:    &http.Client{Transport: tr},
		Policy:    policy,
		UserAgent: "fluxpd-test/1.0",
		Clock:     clock,
		Rand:      half,
	}
}

// sendWithin waits for send to return, at most testwait.Limit: for a Send
// that a bug would leave waiting far longer (a cancellation or timeout
// not acted on).
func sendWithin(t *testing.T, what string, send func() (*delivery.Response, error)) (*delivery.Response, error) {
	t.Helper()
	type result struct {
		resp *delivery.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := send()
		done <- result{resp, err}
	}()
	r := testwait.Recv(t, what, done)
	return r.resp, r.err
}

// secondsOf is d as a Retry-After value, in whole seconds.
func secondsOf(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }
