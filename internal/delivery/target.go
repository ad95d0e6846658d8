package delivery

import (
	"net/url"
	"strings"
	"sync/atomic"
)

// Target is a URL that passed fluxpd's URL check (CheckURL), parsed once:
// a Sender sends to it (SendTo) without checking or parsing it again. The
// binding checks a call's URL when it reads it and hands the Target on.
// The zero Target is no URL; SendTo refuses it as Send refuses "".
type Target struct{ t *target }

// target is a Target's parsed form, shared and never modified.
type target struct {
	raw string
	u   url.URL // Host without an empty port, as http.NewRequest leaves it
}

// ParseTarget checks raw as CheckURL does, with the same errors naming
// param and example, and returns it as a Target.
func ParseTarget(param, raw, example string) (Target, error) {
	t, err := parseTarget(raw)
	if err != nil {
		return Target{}, urlError(param, raw, example, err)
	}
	return t, nil
}

// String returns the URL as it was given.
func (t Target) String() string {
	if t.t == nil {
		return ""
	}
	return t.t.raw
}

// IsZero reports whether t is the zero Target.
func (t Target) IsZero() bool { return t.t == nil }

// lastTarget is the last URL parsed: a script sends every event of a query
// to the same URL, so most checks are a string comparison.
var lastTarget atomic.Pointer[target]

// parseTarget is checkURL's verdict on raw, as a Target; the error is the
// cause alone, as checkURL's.
func parseTarget(raw string) (Target, error) {
	if t := lastTarget.Load(); t != nil && t.raw == raw {
		return Target{t}, nil
	}
	u, err := checkURL(raw)
	if err != nil {
		return Target{}, err
	}
	t := &target{raw: raw, u: *u}
	t.u.Host = removeEmptyPort(t.u.Host)
	lastTarget.Store(t)
	return Target{t}, nil
}

// removeEmptyPort drops the ':' of a host that ends with one, as
// net/http does with a request's host ("example.com:" is "example.com").
func removeEmptyPort(host string) string {
	if strings.LastIndex(host, ":") > strings.LastIndex(host, "]") {
		return strings.TrimSuffix(host, ":")
	}
	return host
}
