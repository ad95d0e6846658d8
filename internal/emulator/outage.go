package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Outage makes the events endpoints unavailable until a deadline, as when
// PagerDuty is down or unreachable: every event request is answered with
// Status (503 by default) or, with Drop, by closing the connection without
// an answer. No alert changes meanwhile; requests are recorded with
// VerdictFault. Queued faults wait until the outage ends.
type Outage struct {
	// For is how long the outage lasts from when it starts.
	For time.Duration
	// Status is answered during the outage; 0 means 503. Ignored with Drop.
	Status int
	// Drop closes each connection without an answer instead.
	Drop bool
	// RetryAfter, if not empty, is sent as the Retry-After header.
	RetryAfter string
}

// outage is the state of the current outage.
type outage struct {
	until time.Time // zero: none
	o     Outage
}

// StartOutage starts an outage lasting o.For from now, replacing any
// current one. A non-positive For ends the outage.
func (e *Emulator) StartOutage(o Outage) error {
	if !o.Drop && o.Status != 0 && (o.Status < 200 || o.Status > 599) {
		return fmt.Errorf("outage status must be between 200 and 599, was %d", o.Status)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if o.For <= 0 {
		e.outage = outage{}
		return nil
	}
	e.outage = outage{until: e.now().Add(o.For), o: o}
	return nil
}

// EndOutage ends the current outage, if any.
func (e *Emulator) EndOutage() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.outage = outage{}
}

// OutageUntil returns when the current outage ends, and false when there
// is none.
func (e *Emulator) OutageUntil() (time.Time, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.outage.until.IsZero() || !e.now().Before(e.outage.until) {
		return time.Time{}, false
	}
	return e.outage.until, true
}

// outageFault returns the answer for a request arriving during an outage.
// It runs under e.mu.
func (e *Emulator) outageFault() (Fault, bool) {
	if e.outage.until.IsZero() {
		return Fault{}, false
	}
	if !e.now().Before(e.outage.until) {
		e.outage = outage{}
		return Fault{}, false
	}
	o := e.outage.o
	if o.Drop {
		return Fault{Drop: true}, true
	}
	status := o.Status
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	b, _ := json.Marshal(errorBody{Status: "error", Message: fmt.Sprintf("emulated outage until %s", e.outage.until.UTC().Format(time.RFC3339Nano))})
	f := Fault{Status: status, Body: string(b)}
	if o.RetryAfter != "" {
		f.Header = map[string]string{"Retry-After": o.RetryAfter}
	}
	return f, true
}

// outageJSON is the body of /_emulator/outage.
type outageJSON struct {
	For        string `json:"for,omitempty"`
	Status     int    `json:"status,omitempty"`
	Drop       bool   `json:"drop,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
}

type outageView struct {
	Active     bool   `json:"active"`
	Until      string `json:"until,omitempty"`
	Remaining  string `json:"remaining,omitempty"`
	Status     int    `json:"status,omitempty"`
	Drop       bool   `json:"drop,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
}

func (e *Emulator) serveOutage(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPut, http.MethodPost:
		var body outageJSON
		dec := json.NewDecoder(io.LimitReader(r.Body, maxScriptBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, `body must be {"for":"<duration>","status":503,"drop":false,"retry_after":"<seconds>"}: `+err.Error())
			return
		}
		d, err := time.ParseDuration(body.For)
		if err != nil || d <= 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("for must be a positive Go duration such as 30s, was %q", body.For))
			return
		}
		if err := e.StartOutage(Outage{For: d, Status: body.Status, Drop: body.Drop, RetryAfter: body.RetryAfter}); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	case http.MethodDelete:
		e.EndOutage()
	}
	e.mu.Lock()
	cur, now := e.outage, e.now()
	e.mu.Unlock()
	v := outageView{}
	if !cur.until.IsZero() && now.Before(cur.until) {
		status := cur.o.Status
		if status == 0 && !cur.o.Drop {
			status = http.StatusServiceUnavailable
		}
		v = outageView{Active: true, Until: cur.until.UTC().Format(time.RFC3339Nano), Remaining: cur.until.Sub(now).Round(time.Millisecond).String(),
			Status: status, Drop: cur.o.Drop, RetryAfter: cur.o.RetryAfter}
	}
	writePretty(w, http.StatusOK, v)
}
