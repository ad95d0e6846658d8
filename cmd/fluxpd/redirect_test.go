package main

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type recordTransport struct{ got []string }

func (r *recordTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = append(r.got, req.URL.String())
	return &http.Response{StatusCode: http.StatusAccepted, Body: http.NoBody}, nil
}

func TestRedirect_RoundTrip(t *testing.T) {
	const emu = "http://127.0.0.1:8787"
	tests := []struct{ url, want string }{
		{"https://events.pagerduty.com/v2/enqueue", emu + "/v2/enqueue"},
		{"https://events.pagerduty.com./v2/enqueue", emu + "/v2/enqueue"},
		{"https://EVENTS.PAGERDUTY.COM/v2/enqueue", emu + "/v2/enqueue"},
		{"https://Events.PagerDuty.com.:443/v2/enqueue", emu + "/v2/enqueue"},
		{"https://events.pagerduty.com:443/v2/change/enqueue", emu + "/v2/change/enqueue"},
		{"https://EVENTS.EU.pagerduty.com/v2/change/enqueue", emu + "/v2/change/enqueue"},
		{"https://events.eu.pagerduty.com./v2/enqueue", emu + "/v2/enqueue"},
		{"https://events.eu.pagerduty.com..:443/v2/enqueue?x=1", emu + "/v2/enqueue"},
		{"https://events.us.pagerduty.com/v2/enqueue", emu + "/v2/enqueue"},
		{"https://pagerduty.com/v2/enqueue", emu + "/v2/enqueue"},
		{"https://acme.pagerduty.com/integration/abc/enqueue", emu + "/v2/enqueue"},
		{"http://events.pagerduty.com:80/v2/enqueue", emu + "/v2/enqueue"},
		// Not PagerDuty's: let through unchanged (pagerduty calls are
		// diverted by the binding, see TestRun_NoWayAroundTheEmulator).
		{"http://127.0.0.1:1234/custom/path", "http://127.0.0.1:1234/custom/path"},
		{"https://notpagerduty.com/v2/enqueue", "https://notpagerduty.com/v2/enqueue"},
		{"https://events.pagerduty.com.example.org/v2/enqueue", "https://events.pagerduty.com.example.org/v2/enqueue"},
		{"https://example.com/events.pagerduty.com/v2/enqueue", "https://example.com/events.pagerduty.com/v2/enqueue"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			next := &recordTransport{}
			rd := newRedirect(emu, next)
			req, err := http.NewRequest(http.MethodPost, tt.url, http.NoBody)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rd.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.want}, next.got); diff != "" {
				t.Errorf("forwarded URL (-want +got):\n%s", diff)
			}
		})
	}
}
