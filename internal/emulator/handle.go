package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// maxRead caps how much of a request body is read. Bodies over
// maxEventSize are still read (up to this cap) so that every other problem
// can be listed too.
const maxRead = 8 << 20

// Response bodies, as documented at
// https://developer.pagerduty.com/docs/events-api-v2-overview#response-codes--retry-logic.
type (
	successBody struct {
		Status   string `json:"status"`
		Message  string `json:"message"`
		DedupKey string `json:"dedup_key,omitempty"`
	}
	errorBody struct {
		Status  string   `json:"status"`
		Message string   `json:"message"`
		Errors  []string `json:"errors,omitempty"`
	}
)

// answer is the response decided for an event request.
type answer struct {
	status int
	body   any
}

// serveEvent handles a request to an events endpoint: record it, wait out
// latency and fault delay, then answer with the fault or process the event.
func (e *Emulator) serveEvent(w http.ResponseWriter, r *http.Request, kind string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRead+1))
	if timedOut(err) {
		e.serveTimedOut(w, r, body, kind) // see limits.go
		return
	}
	ev := parse(kind, body)
	if err != nil {
		ev.unparseable, ev.errs = true, []string{errParse}
	}
	req, fault, faulted, delay := e.arrive(r, body, ev)
	e.holdOpen(w, delay) // see limits.go
	if err := sleep(r.Context(), delay); err != nil {
		e.finish(req, func() {
			req.Verdict = VerdictCanceled
			req.Reason = fmt.Sprintf("client went away during the %s delay", delay)
		})
		return
	}
	if faulted {
		e.finish(req, func() {
			req.Verdict, req.Reason = VerdictFault, fault.describe()
			if !fault.Drop {
				req.Status = fault.status()
			}
		})
		fault.write(w)
		return
	}
	var a answer
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		msg := fmt.Sprintf("method %s is not allowed (use POST)", req.Method)
		a = answer{http.StatusMethodNotAllowed, errorBody{Status: "error", Message: "Method Not Allowed", Errors: []string{msg}}}
		e.finish(req, func() { req.Status, req.Verdict, req.Errors = a.status, VerdictRejected, []string{msg} })
	} else {
		e.finish(req, func() { a = e.process(req, ev) })
	}
	writeJSON(w, a.status, a.body)
}

// arrive records a new request and takes the next fault, if any. It
// returns how long to wait before answering.
func (e *Emulator) arrive(r *http.Request, body []byte, ev event) (*Request, Fault, bool, time.Duration) {
	req := e.newRequest(r, body, ev)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.record(req)
	delay := e.latency
	if f, ok := e.outageFault(); ok { // see outage.go
		return req, f, true, delay
	}
	if len(e.faults) == 0 {
		return req, Fault{}, false, delay
	}
	f := e.faults[0]
	e.faults = e.faults[1:]
	return req, f, true, delay + f.Delay
}

// newRequest returns the pending Request for r, carrying body and what
// parse made of it. Its method is safeMethod's, which hides a routing key
// sent as the method.
func (e *Emulator) newRequest(r *http.Request, body []byte, ev event) *Request {
	return &Request{
		Time:       e.now(),
		Method:     safeMethod(r.Method),
		Path:       maskPath(r.URL.Path),
		Header:     r.Header.Clone(),
		Body:       body,
		Verdict:    VerdictPending,
		Kind:       ev.kind,
		RoutingKey: ev.routingKey,
		Action:     ev.action,
		DedupKey:   ev.dedupKey,
		Severity:   ev.severity,
		Summary:    ev.summary,
		Source:     ev.source,
		Payload:    ev.payload,
	}
}

// record numbers req and appends it to the requests. It runs under e.mu.
func (e *Emulator) record(req *Request) {
	req.ID = len(e.requests) + 1
	e.requests = append(e.requests, req)
}

// finish runs update under the lock, then logs the request.
func (e *Emulator) finish(req *Request, update func()) {
	e.mu.Lock()
	update()
	line := logLine(*req)
	e.mu.Unlock()
	e.logf("%s", line)
}

// process decides the answer to a POSTed event and applies it. It runs
// under e.mu.
func (e *Emulator) process(req *Request, ev event) answer {
	switch {
	case ev.unparseable:
		req.Status, req.Verdict, req.Errors = http.StatusBadRequest, VerdictRejected, ev.errs
		return answer{req.Status, errorBody{"Unrecognized object", "Event object format is unrecognized", ev.errs}}
	case len(ev.errs) > 0:
		req.Status, req.Verdict, req.Errors = http.StatusBadRequest, VerdictRejected, ev.errs
		return answer{req.Status, errorBody{"invalid event", "Event object is invalid", ev.errs}}
	case e.refuses(ev.routingKey): // see refuse.go
		return refuse(req)
	case !e.limiter.allow(ev.routingKey, e.now()):
		req.Status, req.Verdict = http.StatusTooManyRequests, VerdictThrottled
		req.Reason = fmt.Sprintf("rate limit reached (%s per routing key per minute)", plural(e.limiter.limit, "event"))
		return answer{req.Status, errorBody{
			Status:  "throttle event",
			Message: "Requests for this service are arriving too quickly. Please retry later.",
			Errors:  []string{"Rate limit exceeded for this routing key"},
		}}
	case ev.kind == KindChange:
		req.Status, req.Verdict = http.StatusAccepted, VerdictAccepted
		return answer{req.Status, successBody{Status: "success", Message: "Change event processed"}}
	}
	ev.request = req.ID
	o := e.state.apply(ev, e.now())
	req.Status, req.Verdict, req.Reason, req.DedupKey = http.StatusAccepted, o.verdict, o.reason, o.dedupKey
	return answer{req.Status, successBody{"success", "Event processed", o.dedupKey}}
}

// writeJSON answers with status and v encoded as compact JSON, like
// PagerDuty does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeEncoded(w, status, v, json.Marshal)
}

// writeEncoded answers with status and v encoded by marshal.
func writeEncoded(w http.ResponseWriter, status int, v any, marshal func(any) ([]byte, error)) {
	b, err := marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"status":"error","message":"cannot encode the response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
