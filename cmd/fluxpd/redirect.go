package main

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/fluxpd/fluxpd/internal/host"
)

// pagerDutyDomain is PagerDuty's domain. Without --live, every pagerduty
// call is diverted to the emulator by the binding itself (pagerduty.Host's
// Divert), whatever URL it resolved to. The script's other HTTP requests
// (http.post and the like) pass through redirect: those for PagerDuty's
// domain or one of its subdomains go to the emulator too, so that a script
// that builds its own request cannot reach PagerDuty either.
const pagerDutyDomain = "pagerduty.com"

// isPagerDutyHost reports whether host (as in a URL, with or without port)
// is PagerDuty's domain or one of its subdomains, compared as DNS does: in
// lower case, without trailing dots.
func isPagerDutyHost(host string) bool {
	n := normalizeHost(host)
	return n == pagerDutyDomain || strings.HasSuffix(n, "."+pagerDutyDomain)
}

// normalizeHost returns the host part of host (which may carry a port or
// IPv6 brackets) in lower case, without trailing dots.
// EVENTS.PagerDuty.com.:443 and events.pagerduty.com are the same host.
func normalizeHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimRight(strings.ToLower(host), ".")
}

// redirect sends requests for PagerDuty's hosts to the emulator, on the
// Events API path, and lets every other request through.
type redirect struct {
	divert *host.Divert
	next   http.RoundTripper
}

func newRedirect(emulatorURL string, next http.RoundTripper) *redirect {
	to, _ := url.Parse(emulatorURL) // the emulator's own URL always parses
	if next == nil {
		next = http.DefaultTransport
	}
	return &redirect{divert: &host.Divert{To: to}, next: next}
}

// RoundTrip implements http.RoundTripper.
func (r *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if isPagerDutyHost(req.URL.Host) {
		req = r.divert.Rewrite(req)
	}
	return r.next.RoundTrip(req)
}
