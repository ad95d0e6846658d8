// Package host holds what every program that sends PagerDuty events with
// fluxpd decides the same way, whichever program it is (fluxpd run,
// fluxpd send, the InfluxDB builds): here, where a test run's requests go.
//
// The package does not depend on Flux.
package host

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/fluxpd/fluxpd/internal/event"
)

// Divert is an http.RoundTripper that sends every request to one place,
// To, whatever URL the request names: the built-in emulator standing in for
// PagerDuty in a run without --live. It is applied where the request is
// made, to the URL every option, argument and alias of a script resolved
// to, so that no spelling of a destination can get past it: PagerDuty's
// hosts, a relay, a proxy and a loopback receiver (which may forward to
// PagerDuty) alike.
//
// The request keeps its method, headers and body; its path becomes the
// Events API path it is for: the change path when the URL's path ends with
// "/change/enqueue", the alert path otherwise. Its query and user info are
// dropped.
type Divert struct {
	To   *url.URL          // the scheme and host requests go to
	Next http.RoundTripper // nil means http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (d *Divert) RoundTrip(req *http.Request) (*http.Response, error) {
	next := d.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(d.Rewrite(req))
}

// Rewrite returns a copy of req addressed to d.To.
func (d *Divert) Rewrite(req *http.Request) *http.Request {
	out := req.Clone(req.Context())
	path := event.AlertPath
	if strings.HasSuffix(strings.TrimRight(req.URL.Path, "/"), "/change/enqueue") {
		path = event.ChangePath
	}
	out.URL = &url.URL{Scheme: d.To.Scheme, Host: d.To.Host, Path: path}
	out.Host = d.To.Host
	return out
}

// Client returns a copy of c whose requests all go to d.To, through c's
// own transport (d.Next is not used). c is not changed; nil means
// http.DefaultClient.
func (d *Divert) Client(c *http.Client) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	cp := *c
	cp.Transport = &Divert{To: d.To, Next: c.Transport}
	return &cp
}
