package main

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPagerdutyHosts(t *testing.T) {
	got := pagerdutyHosts(`import "pagerduty"
option pagerduty.defaultURL = "https://PD-Proxy.example.com/v2/enqueue"
option pagerduty.defaultChangeURL = "http://127.0.0.1:9/v2/change/enqueue"
`)
	want := map[string]bool{
		"events.pagerduty.com":    true,
		"events.eu.pagerduty.com": true,
		"pd-proxy.example.com":    true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pagerdutyHosts() (-want +got):\n%s", diff)
	}
}

type recordTransport struct{ got []string }

func (r *recordTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = append(r.got, req.URL.String())
	return &http.Response{StatusCode: http.StatusAccepted, Body: http.NoBody}, nil
}

func TestRedirect_RoundTrip(t *testing.T) {
	next := &recordTransport{}
	rd := newRedirect("http://127.0.0.1:8787", map[string]bool{"events.pagerduty.com": true, "events.eu.pagerduty.com": true}, next)
	for _, u := range []string{
		"https://events.pagerduty.com/v2/enqueue",
		"https://EVENTS.EU.pagerduty.com/v2/change/enqueue",
		"http://127.0.0.1:1234/custom/path",
	} {
		req, _ := http.NewRequest(http.MethodPost, u, http.NoBody)
		if _, err := rd.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"http://127.0.0.1:8787/v2/enqueue",
		"http://127.0.0.1:8787/v2/change/enqueue",
		"http://127.0.0.1:1234/custom/path",
	}
	if diff := cmp.Diff(want, next.got); diff != "" {
		t.Errorf("forwarded URLs (-want +got):\n%s", diff)
	}
}
