package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// The inbox page's filter and refresh settings live in its query string,
// so that the page works without JavaScript, a filtered view can be
// shared as a URL, and Refresh keeps the filter:
//
//	state    "" (everything), open (triggered or acknowledged), triggered,
//	         acknowledged, resolved, rejected, or change (change events)
//	q        a dedup key or source, or part of one (case-insensitive)
//	refresh  seconds between automatic reloads, 1 to 3600; absent means
//	         never (the default: a reload would close what the reader
//	         opened and move the page under them)

// The values of the state filter, besides the alert statuses.
const (
	stateOpen     = "open"
	stateRejected = "rejected"
	stateChange   = "change"
)

// states lists the state filter's values in the order the page offers them.
var states = []option{
	{Value: "", Label: "all"},
	{Value: stateOpen, Label: "open (triggered or acknowledged)"},
	{Value: StatusTriggered, Label: "triggered"},
	{Value: StatusAcknowledged, Label: "acknowledged"},
	{Value: StatusResolved, Label: "resolved"},
	{Value: stateRejected, Label: "rejected events"},
	{Value: stateChange, Label: "change events"},
}

// defaultRefresh is the period the page's auto-refresh link offers.
const (
	defaultRefresh = 5
	maxRefresh     = 3600
)

type inboxFilter struct {
	State   string
	Q       string
	Refresh int // seconds; 0: no automatic reload
}

// parseFilter reads the filter from a query string. A value it cannot use
// is left out and explained in problem.
func parseFilter(q url.Values) (f inboxFilter, problem string) {
	var problems []string
	f.State = q.Get("state")
	if !slices.ContainsFunc(states, func(o option) bool { return o.Value == f.State }) {
		problems = append(problems, fmt.Sprintf("state must be one of open, triggered, acknowledged, resolved, rejected, change, or empty for all; got %q", cut(f.State, 40)))
		f.State = ""
	}
	f.Q = strings.TrimSpace(q.Get("q"))
	if s := q.Get("refresh"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxRefresh {
			problems = append(problems, fmt.Sprintf("refresh must be a number of seconds from 1 to %d; got %q", maxRefresh, cut(s, 40)))
		} else {
			f.Refresh = n
		}
	}
	return f, strings.Join(problems, "; ")
}

// query returns the page's query string for f with the given refresh
// period, such as "?state=open&q=db01"; "?" alone for no filter.
func (f inboxFilter) query(refresh int) string {
	v := url.Values{}
	if f.State != "" {
		v.Set("state", f.State)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if refresh > 0 {
		v.Set("refresh", strconv.Itoa(refresh))
	}
	return "?" + v.Encode()
}

func toggleRefresh(n int) int {
	if n > 0 {
		return 0
	}
	return defaultRefresh
}

// shows reports whether the page shows the section of the given state
// filter value.
func (f inboxFilter) shows(state string) bool {
	return f.State == "" || f.State == state
}

// matches reports whether an item with this (masked) dedup key and source
// passes the text filter.
func (f inboxFilter) matches(dedupKey, source string) bool {
	if f.Q == "" {
		return true
	}
	q := strings.ToLower(f.Q)
	return strings.Contains(strings.ToLower(dedupKey), q) || strings.Contains(strings.ToLower(source), q)
}

// masked returns f with its text masked for every routing key in keys, so
// that a key typed into the filter (or shared in a URL) is not shown back.
func (f inboxFilter) masked(keys []string) inboxFilter {
	f.Q = redact.String(f.Q, keys...)
	return f
}

func stateOptions(selected string) []option {
	out := slices.Clone(states)
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
