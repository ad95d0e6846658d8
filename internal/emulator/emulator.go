// Package emulator is a local stand-in for PagerDuty's Events API v2, for
// tests and for trying fluxpd without a PagerDuty account.
//
// It validates alert and change events the way PagerDuty documents them
// and answers with PagerDuty's status codes and JSON bodies, keeps alert
// state per routing key and dedup key, can rate-limit like PagerDuty, and
// can answer with scripted faults (errors, delays, dropped connections).
// What it received can be read through the Go API, through a JSON API
// under /_emulator/ and on an HTML inbox page at /.
//
// # A second opinion
//
// The emulator is fluxpd's second opinion on the contract: it validates
// what the sender (internal/event) has already validated, with its own code
// written from PagerDuty's documentation, and shares no validation code with
// it, so that a mistake in one shows up as a disagreement with the other.
// Where both must agree on a list of cases, the cases live in one table in
// internal/contract/testdata, against which each is tested.
//
// payload.timestamp is accepted in one form, as in internal/event (whose
// package documentation gives the reasons): YYYY-MM-DDThh:mm:ss, an
// optional fraction of 1 to 9 digits after '.' or ',', then Z, ±hh:mm,
// ±hhmm or ±hh; upper-case 'T' and 'Z', every field in range (offset hours
// 00 to 23, minutes 00 to 59, no leap second). Anything else is answered
// 400, as a strict ISO 8601 parser at PagerDuty might.
//
// Acknowledge and resolve events may carry the payload of their trigger
// (PagerDuty accepts it, and rulesets route on it); the emulator records it
// and shows it, but does not reject an acknowledge or resolve for its
// payload, since PagerDuty does not require one.
//
// Routing keys are secrets: everything the emulator prints or serves shows
// them masked with redact.Key. Only the Go API (Request.Body, Request.Header,
// Request.RoutingKey, Alert.RoutingKey) holds them raw. A key sent where it
// does not belong, in the request path or as the method, is masked before
// it is recorded (mask.go); the query string is never recorded.
//
// Start serves within limits (timeouts, a bound on connections; see
// limits.go), so that an emulator left running cannot be held by a client
// that stalls or by a crowd of connections.
package emulator

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fluxpd/fluxpd/internal/serve"
)

// Paths served by the emulator.
const (
	EventsPath    = "/v2/enqueue"        // alert events
	ChangePath    = "/v2/change/enqueue" // change events
	InspectPrefix = "/_emulator/"        // inspection and scripting API
)

// Options configures an Emulator.
type Options struct {
	// RateLimit is the number of events accepted per routing key over a
	// sliding 60-second window; more are answered 429. 0 means no limit.
	// PagerDuty's own limit is about 120.
	RateLimit int
	// Latency is waited before answering every request to an events
	// endpoint. Inspection and inbox requests are not delayed.
	Latency time.Duration
	// Log, when non-nil, receives one line per request to an events
	// endpoint, with the routing key masked.
	Log io.Writer
	// Now is the clock for timestamps and the rate limit; nil means
	// time.Now. Delays always use real time.
	Now func() time.Time
	// RateWindow is the sliding window of RateLimit; 0 means 60 seconds,
	// PagerDuty's. Tests shorten it.
	RateWindow time.Duration

	// The limits below bound what one client can hold of a server started
	// by Start (New ignores them); 0 or less means the Default of the same
	// name (see limits.go).

	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. A client
	// that stalls its body is answered 408 and disconnected.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing an answer, counted from the end of the
	// request's headers, plus the latency and any fault delay waited.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a kept-alive connection may wait for its
	// next request.
	IdleTimeout time.Duration
	// MaxConns bounds the connections served at once. A client beyond it
	// waits, connected but unanswered, until another connection closes.
	MaxConns int
}

// Emulator is an http.Handler emulating the PagerDuty Events API v2. It is
// safe for concurrent use.
type Emulator struct {
	opts   Options
	now    func() time.Time
	limits serve.Limits // of the server started by Start; zero for New
	logMu  sync.Mutex   // serializes writes to opts.Log

	mu       sync.Mutex // guards everything below and every *Request in requests
	latency  time.Duration
	faults   []Fault
	refused  []string // routing keys answered 400 (see refuse.go)
	requests []*Request
	state    alertState
	limiter  limiter
	outage   outage // see outage.go
}

// New returns an Emulator configured by opts.
func New(opts Options) *Emulator {
	e := &Emulator{opts: opts, now: opts.Now}
	if e.now == nil {
		e.now = time.Now
	}
	e.Reset()
	return e
}

// Reset forgets every request, alert, rate-limit count, queued fault and
// refused key, and sets the latency back to Options.Latency.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.latency = e.opts.Latency
	e.faults = nil
	e.refused = nil
	e.requests = nil
	e.state = newAlertState()
	e.limiter = newLimiter(e.opts.RateLimit)
	e.limiter.window = e.opts.RateWindow
	e.outage = outage{}
}

// Inject appends faults to the fault queue. Each request to an events
// endpoint consumes the oldest queued fault, if any.
func (e *Emulator) Inject(faults ...Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, faults...)
}

// Faults returns the faults still queued, oldest first.
func (e *Emulator) Faults() []Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Fault, len(e.faults))
	copy(out, e.faults)
	return out
}

// SetLatency sets the delay added before every answer on the events
// endpoints. A negative d counts as 0.
func (e *Emulator) SetLatency(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.latency = max(d, 0)
}

// Latency returns the current latency.
func (e *Emulator) Latency() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.latency
}

// Requests returns copies of the requests received on the events endpoints
// since the last Reset, in arrival order. Requests still waiting out a
// delay have VerdictPending.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Request, len(e.requests))
	for i, r := range e.requests {
		out[i] = r.clone()
	}
	return out
}

// Alerts returns copies of the alerts, in creation order.
func (e *Emulator) Alerts() []Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state.snapshot()
}

// alertRecords returns the alerts, in creation order, with the request
// that carried each event of their history.
func (e *Emulator) alertRecords() []alertRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state.records(e.requests)
}

// ServeHTTP serves the events endpoints, the /_emulator/ API and the inbox
// page at /.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == EventsPath:
		e.serveEvent(w, r, KindAlert)
	case p == ChangePath:
		e.serveEvent(w, r, KindChange)
	case strings.HasPrefix(p, InspectPrefix):
		e.serveInspect(w, r)
	case p == "/":
		e.serveInbox(w, r)
	default:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			e.logf("%s %s 404 not found (events go to %s and %s)", safeMethod(r.Method), maskPath(p), EventsPath, ChangePath)
		}
		writeJSON(w, http.StatusNotFound, errorBody{Status: "error", Message: "Not found"})
	}
}
