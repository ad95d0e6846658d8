package main

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/parser"
)

// pagerDutyDomain is PagerDuty's domain. Without --live, "fluxpd run" sends
// every request for it or one of its subdomains to the emulator: the Events
// API hosts events.pagerduty.com and events.eu.pagerduty.com, and any other
// PagerDuty host a script might name, so that nothing reaches PagerDuty by a
// spelling nobody thought of.
const pagerDutyDomain = "pagerduty.com"

// emulatedHosts is the set of hosts whose requests go to the emulator,
// besides PagerDuty's own (see isPagerDutyHost). Its keys are normalised
// with normalizeHost.
type emulatedHosts map[string]bool

// hostsToEmulate returns the hosts, besides PagerDuty's, whose requests go
// to the emulator: the host of any `option pagerduty.defaultURL` (or
// defaultChangeURL) the script sets to a string, unless that is a loopback
// address the user runs a receiver on.
func hostsToEmulate(src string) emulatedHosts {
	hosts := make(emulatedHosts)
	for _, f := range parser.ParseSource(src).Files {
		for _, st := range f.Body {
			if h := optionURLHost(st); h != "" && !isLoopback(h) {
				hosts[h] = true
			}
		}
	}
	return hosts
}

// emulates reports whether requests for host (as in a URL, with or without
// port) go to the emulator.
func (h emulatedHosts) emulates(host string) bool {
	n := normalizeHost(host)
	return isPagerDutyHost(n) || h[n]
}

// isPagerDutyHost reports whether a normalised host is PagerDuty's domain
// or one of its subdomains.
func isPagerDutyHost(host string) bool {
	return host == pagerDutyDomain || strings.HasSuffix(host, "."+pagerDutyDomain)
}

// normalizeHost returns the host part of host (which may carry a port or
// IPv6 brackets) as DNS compares it: in lower case, without trailing dots.
// EVENTS.PagerDuty.com.:443 and events.pagerduty.com are the same host.
func normalizeHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimRight(strings.ToLower(host), ".")
}

// optionURLHost returns the normalised host of
// `option pagerduty.defaultURL = "..."`.
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
	return normalizeHost(u.Host)
}

// isLoopback reports whether a normalised host names this machine:
// localhost (or a name under it) or a loopback address such as 127.0.0.2
// or ::1, recognised by parsing it rather than by its spelling.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redirect sends requests for PagerDuty's hosts (and the other emulated
// hosts) to the emulator, keeping the Events API path, and lets every
// other request through.
type redirect struct {
	to    *url.URL
	hosts emulatedHosts
	next  http.RoundTripper
}

func newRedirect(emulatorURL string, hosts emulatedHosts, next http.RoundTripper) *redirect {
	to, _ := url.Parse(emulatorURL) // the emulator's own URL always parses
	if next == nil {
		next = http.DefaultTransport
	}
	return &redirect{to: to, hosts: hosts, next: next}
}

// RoundTrip implements http.RoundTripper.
func (r *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if !r.hosts.emulates(req.URL.Host) {
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
