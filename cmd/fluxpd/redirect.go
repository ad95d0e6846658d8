package main

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/parser"
)

// pagerDutyHosts are the Events API hosts that "fluxpd run" never reaches
// unless --live is given.
var pagerDutyHosts = []string{"events.pagerduty.com", "events.eu.pagerduty.com"}

// pagerdutyHosts returns the hosts whose requests go to the emulator: the
// PagerDuty hosts, plus the host of any `option pagerduty.defaultURL` (or
// defaultChangeURL) the script sets to a string, unless that is a loopback
// address the user runs a receiver on.
func pagerdutyHosts(src string) map[string]bool {
	hosts := make(map[string]bool)
	for _, h := range pagerDutyHosts {
		hosts[h] = true
	}
	for _, f := range parser.ParseSource(src).Files {
		for _, st := range f.Body {
			if h := optionURLHost(st); h != "" && !isLoopback(h) {
				hosts[h] = true
			}
		}
	}
	return hosts
}

// optionURLHost returns the host of `option pagerduty.defaultURL = "..."`.
func optionURLHost(st ast.Statement) string {
	opt, ok := st.(*ast.OptionStatement)
	if !ok {
		return ""
	}
	ma, ok := opt.Assignment.(*ast.MemberAssignment)
	if !ok {
		return ""
	}
	obj, ok := ma.Member.Object.(*ast.Identifier)
	if !ok || obj.Name != "pagerduty" {
		return ""
	}
	if k := ma.Member.Property.Key(); k != "defaultURL" && k != "defaultChangeURL" {
		return ""
	}
	lit, ok := ma.Init.(*ast.StringLiteral)
	if !ok {
		return ""
	}
	u, err := url.Parse(lit.Value)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}

// redirect sends requests for PagerDuty's hosts to the emulator, keeping
// the Events API path, and lets every other request through.
type redirect struct {
	to    *url.URL
	hosts map[string]bool
	next  http.RoundTripper
}

func newRedirect(emulatorURL string, hosts map[string]bool, next http.RoundTripper) *redirect {
	to, _ := url.Parse(emulatorURL) // the emulator's own URL always parses
	if next == nil {
		next = http.DefaultTransport
	}
	return &redirect{to: to, hosts: hosts, next: next}
}

// RoundTrip implements http.RoundTripper.
func (r *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if !r.hosts[strings.ToLower(req.URL.Hostname())] {
		return r.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	path := "/v2/enqueue"
	if strings.HasSuffix(req.URL.Path, "/change/enqueue") {
		path = "/v2/change/enqueue"
	}
	req.URL.Scheme, req.URL.Host, req.URL.Path, req.URL.RawPath = r.to.Scheme, r.to.Host, path, ""
	req.Host = r.to.Host
	return r.next.RoundTrip(req)
}
