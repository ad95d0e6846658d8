package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// This file turns requests and alerts into what the emulator prints and
// serves. Every printed or served surface goes through here (whole bodies
// through viewBody in body.go), so that routing keys are masked in one
// place: the key field itself with redact.Key, and every other text with
// redact.String in case a sender put its key where it does not belong.

// requestView is a Request as served by GET /_emulator/requests and shown
// on the inbox page.
type requestView struct {
	ID         int       `json:"id"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	Verdict    Verdict   `json:"verdict"`
	Errors     []string  `json:"errors,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Kind       string    `json:"kind"`
	RoutingKey string    `json:"routing_key"`
	Action     string    `json:"action,omitempty"`
	DedupKey   string    `json:"dedup_key,omitempty"`
	Severity   string    `json:"severity,omitempty"`
	Summary    string    `json:"summary,omitempty"`
	Source     string    `json:"source,omitempty"`
	Payload    bool      `json:"payload"`
	bodyView             // the whole body, masked; only in the JSON views and on the page
}

// alertView is an Alert as served by GET /_emulator/alerts and shown on
// the inbox page.
type alertView struct {
	RoutingKey string           `json:"routing_key"`
	DedupKey   string           `json:"dedup_key"`
	Status     string           `json:"status"`
	Severity   string           `json:"severity"`
	Summary    string           `json:"summary"`
	Source     string           `json:"source"`
	Count      int              `json:"count"`
	Created    time.Time        `json:"created"`
	Updated    time.Time        `json:"updated"`
	History    []alertEventView `json:"history"`
}

type alertEventView struct {
	Time     time.Time `json:"time"`
	Action   string    `json:"action"`
	Payload  bool      `json:"payload"`
	Severity string    `json:"severity,omitempty"`
	Summary  string    `json:"summary,omitempty"`
	Source   string    `json:"source,omitempty"`
	Request  int       `json:"request"` // the requestView.ID that carried it
	bodyView           // the whole body, masked
}

// viewRequest masks r's fields for printing. It leaves out the body,
// which the one-line surfaces (log, summary) do not need: withBody adds it.
func viewRequest(r Request) requestView {
	m := masker(r.RoutingKey)
	errs := make([]string, len(r.Errors))
	for i, s := range r.Errors {
		errs[i] = m(s)
	}
	return requestView{
		ID: r.ID, Time: r.Time, Method: r.Method, Path: m(r.Path),
		Status: r.Status, Verdict: r.Verdict, Errors: errs, Reason: m(r.Reason),
		Kind: r.Kind, RoutingKey: redact.Key(r.RoutingKey), Action: m(r.Action),
		DedupKey: m(r.DedupKey), Severity: m(r.Severity), Summary: m(r.Summary), Source: m(r.Source),
		Payload: r.Payload,
	}
}

// withBody adds the request's masked body to its view.
func (v requestView) withBody(r Request) requestView {
	v.bodyView = viewBody(r.Body, r.RoutingKey)
	return v
}

// viewAlert masks a's fields for serving, without the events' bodies:
// withBodies adds them.
func viewAlert(a Alert) alertView {
	m := masker(a.RoutingKey)
	h := make([]alertEventView, len(a.History))
	for i, ev := range a.History {
		h[i] = alertEventView{Time: ev.Time, Action: ev.Action, Payload: ev.Payload,
			Severity: m(ev.Severity), Summary: m(ev.Summary), Source: m(ev.Source)}
	}
	return alertView{
		RoutingKey: redact.Key(a.RoutingKey), DedupKey: m(a.DedupKey), Status: a.Status,
		Severity: m(a.Severity), Summary: m(a.Summary), Source: m(a.Source),
		Count: a.Count, Created: a.Created, Updated: a.Updated, History: h,
	}
}

// withBodies adds to the view of a the ID and masked body of the request
// that carried each event. It returns a new view and leaves v's history
// alone.
func (v alertView) withBodies(a alertRecord) alertView {
	v.History = slices.Clone(v.History)
	for i, r := range a.requests {
		v.History[i].Request = r.ID
		v.History[i].bodyView = viewBody(r.Body, a.RoutingKey)
	}
	return v
}

// masker returns a function hiding key wherever it appears in a text.
func masker(key string) func(string) string {
	return func(s string) string { return redact.String(s, key) }
}

// maxShown caps free text (summaries) in one-line output.
const maxShown = 80

// describe renders the event fields of a masked request on one line, such
// as `trigger dedup_key="srv01/HTTP" severity=critical summary="Disk full"`.
func (v requestView) describe(withKey bool) string {
	parts := []string{v.Kind}
	if v.Kind == KindAlert {
		parts[0] = orDash(v.Action)
	}
	if withKey {
		parts = append(parts, "routing_key="+orDash(v.RoutingKey))
	}
	if v.DedupKey != "" {
		parts = append(parts, "dedup_key="+strconv.Quote(shorten(v.DedupKey)))
	}
	if v.Severity != "" {
		parts = append(parts, "severity="+strconv.Quote(shorten(v.Severity)))
	}
	if v.Summary != "" {
		parts = append(parts, "summary="+strconv.Quote(shorten(v.Summary)))
	}
	return strings.Join(parts, " ")
}

// outcome renders the verdict with its reasons, such as
// "rejected: 'payload.source' is missing or blank".
func (v requestView) outcome() string {
	s := string(v.Verdict)
	switch {
	case len(v.Errors) > 0:
		return s + ": " + strings.Join(v.Errors, "; ")
	case v.Verdict == VerdictAccepted && v.Reason != "":
		return s + " (" + v.Reason + ")"
	case v.Reason != "":
		return s + ": " + v.Reason
	}
	return s
}

// logLine renders a request as one log line.
func logLine(r Request) string {
	v := viewRequest(r)
	status := "---"
	if v.Status != 0 {
		status = strconv.Itoa(v.Status)
	}
	return fmt.Sprintf("%s #%d %s %s %s %s: %s", v.Time.Format("15:04:05.000"), v.ID,
		v.Method, v.Path, status, v.describe(true), v.outcome())
}

// logf writes one line to Options.Log, if set.
func (e *Emulator) logf(format string, args ...any) {
	if e.opts.Log == nil {
		return
	}
	e.logMu.Lock()
	defer e.logMu.Unlock()
	fmt.Fprintf(e.opts.Log, "fluxpd emulator: "+format+"\n", args...)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// shorten cuts s to maxShown runes, ending in "…" when cut.
func shorten(s string) string {
	r := []rune(s)
	if len(r) <= maxShown {
		return s
	}
	return string(r[:maxShown-1]) + "…"
}
