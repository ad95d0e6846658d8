package delivery_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
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

// step scripts one answer of the receiver: a status, headers and body, or
// a handler for anything else (hijacking, stalling).
type step struct {
	status  int
	header  map[string]string
	body    string
	handler http.HandlerFunc
}

// received is what the receiver recorded of one request.
type received struct {
	Method, Path                   string
	ContentType, Accept, UserAgent string
	Body                           string
}

// receiver is a test PagerDuty on 127.0.0.1 that answers with scripted
// steps, repeating the last one, and records every request.
type receiver struct {
	t     *testing.T
	URL   string // the alert endpoint
	mu    sync.Mutex
	steps []step
	reqs  []received
	conns int // connections opened
}

func newReceiver(t *testing.T, steps ...step) *receiver {
	t.Helper()
	r := &receiver{t: t, steps: steps}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.mu.Lock()
			r.conns++
			r.mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/v2/enqueue"
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("receiver: reading request body: %v", err)
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, received{
		Method: req.Method, Path: req.URL.Path, Body: string(body),
		ContentType: req.Header.Get("Content-Type"), Accept: req.Header.Get("Accept"),
		UserAgent: req.Header.Get("User-Agent"),
	})
	st := r.steps[min(len(r.reqs), len(r.steps))-1]
	r.mu.Unlock()
	if st.handler != nil {
		st.handler(w, req)
		return
	}
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, st.body)
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

func (r *receiver) connections() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns
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
// transport, so that tests do not share idle connections.
func newSender(t *testing.T, clock delivery.Clock) *delivery.Sender {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &delivery.Sender{
		Client:    &http.Client{Transport: tr},
		Policy:    delivery.DefaultPolicy(),
		UserAgent: "fluxpd-test/1.0",
		Clock:     clock,
		Rand:      half,
	}
}

// hijack returns a handler that takes over the connection, writes raw and
// closes it: a connection dropped before or during the answer.
func hijack(t *testing.T, raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
		_ = conn.Close()
	}
}
