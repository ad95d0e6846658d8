package host_test

import (
	"errors"
	"testing"

	"github.com/fluxpd/fluxpd/internal/host"
)

func TestOutcome_String(t *testing.T) {
	tests := []struct {
		o    host.Outcome
		want string
	}{
		{host.Accepted, "accepted"}, {host.Rejected, "rejected"}, {host.Queued, "queued"},
		{host.Failed, "failed"}, {host.Invalid, "invalid"}, {0, "unknown"}, {host.Invalid + 1, "unknown"},
	}
	for _, tt := range tests {
		if got := tt.o.String(); got != tt.want {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(tt.o), got, tt.want)
		}
	}
}

func TestFailure_String(t *testing.T) {
	const url = "https://events.pagerduty.com/v2/enqueue"
	tests := []struct {
		name string
		f    host.Failure
		want string
	}{
		{"refused before sending", host.Failure{Function: "sendEvent", URL: url, Reason: "routingKey is empty"},
			"pagerduty.sendEvent: not sent to " + url + ": routingKey is empty"},
		{"rejected once", host.Failure{Function: "sendEvent", URL: url, Status: 400, Attempts: 1, DedupKey: "db01/cpu", Reason: "Event object is invalid"},
			"pagerduty.sendEvent: 400 Bad Request from " + url + ` after 1 attempt (dedup key "db01/cpu"): Event object is invalid`},
		{"failed after retries", host.Failure{Function: "endpoint", URL: url, Status: 503, Attempts: 4},
			"pagerduty.endpoint: 503 Service Unavailable from " + url + " after 4 attempts"},
		{"no answer", host.Failure{Function: "sendChangeEvent", URL: url, Attempts: 2, Reason: "connection refused"},
			"pagerduty.sendChangeEvent: no answer from " + url + " after 2 attempts: connection refused"},
		{"queued unsent, a quoted dedup key", host.Failure{Function: "endpoint", URL: url, DedupKey: `say "hi"`, Queued: true, Reason: "queued behind earlier events"},
			"pagerduty.endpoint: not sent to " + url + ` (dedup key "say \"hi\""): queued behind earlier events`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.String(); got != tt.want {
				t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestNote_String(t *testing.T) {
	tests := []struct {
		n    host.Note
		want string
	}{
		{host.Note{Function: "sendEvent", Text: "summary cut to 1024 characters"}, "pagerduty.sendEvent: summary cut to 1024 characters"},
		{host.Note{Function: "endpoint", DedupKey: "db01/cpu", Text: "payload dropped"}, `pagerduty.endpoint (dedup key "db01/cpu"): payload dropped`},
	}
	for _, tt := range tests {
		if got := tt.n.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestResult_Accepted(t *testing.T) {
	tests := []struct {
		r    host.Result
		want bool
	}{
		{host.Result{Status: 202}, true},
		{host.Result{Status: 200}, true},
		{host.Result{Status: 202, Err: errors.New("lost")}, false},
		{host.Result{Status: 400}, false},
		{host.Result{Status: 0}, false},
		{host.Result{Status: 302}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Accepted(); got != tt.want {
			t.Errorf("%+v.Accepted() = %v, want %v", tt.r, got, tt.want)
		}
	}
}
