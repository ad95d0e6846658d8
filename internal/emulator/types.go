package emulator

import (
	"net/http"
	"slices"
	"time"
)

// Verdict says what the emulator did with a received request.
type Verdict string

// The verdicts a Request can carry.
const (
	// VerdictAccepted: the event was valid and was applied (202).
	VerdictAccepted Verdict = "accepted"
	// VerdictRejected: the request was invalid and was answered 400 (or 405
	// for a wrong method); Request.Errors lists every problem.
	VerdictRejected Verdict = "rejected"
	// VerdictDropped: a valid acknowledge or resolve that matched no open
	// alert. PagerDuty still answers 202; Request.Reason says why.
	VerdictDropped Verdict = "dropped"
	// VerdictThrottled: the routing key exceeded the rate limit (429).
	VerdictThrottled Verdict = "throttled"
	// VerdictFault: the request was answered by an injected Fault and did
	// not change any alert.
	VerdictFault Verdict = "fault"
	// VerdictCanceled: the client went away while the emulator was waiting
	// (latency or fault delay); nothing was answered or applied.
	VerdictCanceled Verdict = "canceled"
	// VerdictPending: the request is still being handled (it is waiting
	// out a latency or fault delay).
	VerdictPending Verdict = "pending"
)

// Kinds of event, as found in Request.Kind.
const (
	KindAlert  = "alert"  // POST /v2/enqueue
	KindChange = "change" // POST /v2/change/enqueue
)

// Event actions of alert events.
const (
	ActionTrigger     = "trigger"
	ActionAcknowledge = "acknowledge"
	ActionResolve     = "resolve"
)

// Alert statuses.
const (
	StatusTriggered    = "triggered"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Request is one request received on an events endpoint, with what the
// emulator made of it. Header and Body are kept raw for Go tests and are
// never printed or served: they contain the routing key.
type Request struct {
	ID      int // 1-based arrival number, reset by Reset
	Time    time.Time
	Method  string // a method other than the standard ones masked, as it may be a routing key (see mask.go)
	Path    string
	Header  http.Header
	Body    []byte
	Status  int // HTTP status answered; 0 when none was (dropped connection, canceled)
	Verdict Verdict
	Errors  []string // validation errors when Verdict is rejected
	Reason  string   // why, for dropped, throttled, fault and canceled; a note for accepted

	Kind       string // KindAlert or KindChange
	RoutingKey string // raw; mask with redact.Key before printing
	Action     string // event_action; empty for change events
	DedupKey   string // the dedup key answered, generated when a trigger had none
	Severity   string // payload.severity, also on acknowledge and resolve
	Summary    string // payload.summary, also on acknowledge and resolve
	Source     string // payload.source, also on acknowledge and resolve
	// Payload reports that the event carried a payload object: always for
	// an accepted trigger, and for an acknowledge or resolve that was sent
	// with its trigger's payload.
	Payload bool
}

// Alert is the emulator's view of one PagerDuty alert, identified by its
// routing key and dedup key.
type Alert struct {
	RoutingKey string // raw; mask with redact.Key before printing
	DedupKey   string
	Status     string // StatusTriggered, StatusAcknowledged or StatusResolved
	Severity   string // from the trigger that opened the alert
	Summary    string
	Source     string
	Count      int // triggers received, the opening one included
	Created    time.Time
	Updated    time.Time
	History    []AlertEvent // every event applied to the alert, oldest first
}

// AlertEvent is one event applied to an alert, with the payload fields it
// carried (acknowledge and resolve may carry none).
type AlertEvent struct {
	Time     time.Time
	Action   string
	Severity string
	Summary  string
	Source   string
	Payload  bool // the event carried a payload object
}

// clone returns a deep copy of r.
func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.Body = slices.Clone(r.Body)
	r.Errors = slices.Clone(r.Errors)
	return r
}

// clone returns a deep copy of a.
func (a Alert) clone() Alert {
	a.History = slices.Clone(a.History)
	return a
}

// open reports whether the alert is triggered or acknowledged.
func (a *Alert) open() bool {
	return a.Status == StatusTriggered || a.Status == StatusAcknowledged
}
