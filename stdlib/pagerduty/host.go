package pagerduty

import (
	"context"

	"github.com/influxdata/flux/ast"

	"github.com/fluxpd/fluxpd/internal/host"
)

// Host is what the program running Flux decides for every query (default
// URLs, a diverted destination, the outbox, who is told how each event
// ended): fluxpd's host layer, internal/host, which every host (fluxpd
// run, the InfluxDB builds) wires the same way.
type Host = host.Host

// Failure and Note are what the host is told of an event not accepted and
// of one changed on its way.
type (
	Failure = host.Failure
	Note    = host.Note
)

type hostKey struct{}

// WithHost returns a context whose pagerduty calls use h.
func WithHost(ctx context.Context, h Host) context.Context {
	return context.WithValue(ctx, hostKey{}, h)
}

// ValidateHost checks h's default URLs, so that a server can refuse to
// start with a bad one rather than fail every send.
func ValidateHost(h Host) error { return h.Validate(DefaultURL, DefaultChangeURL) }

// Prepare returns how every host prepares the context of one query from
// its script before it is evaluated: its pagerduty options read
// (WithScript) and h put in the context (WithHost). Queries that do not
// import "pagerduty" are left as they are. It is fluxrun's Runner.Prepare
// (beside Runner.Check = CheckScript) and, in fluxpd's InfluxDB builds,
// part of lang.PrepareContext (after CheckScript).
func Prepare(h Host) func(ctx context.Context, pkg *ast.Package) (context.Context, error) {
	return func(ctx context.Context, pkg *ast.Package) (context.Context, error) {
		if !importsPagerDuty(pkg) {
			return ctx, nil
		}
		ctx, err := WithScript(ctx, pkg)
		if err != nil {
			return ctx, err
		}
		return WithHost(ctx, h), nil
	}
}

// importsPagerDuty reports whether pkg imports this package.
func importsPagerDuty(pkg *ast.Package) bool {
	if pkg == nil {
		return false
	}
	for _, f := range pkg.Files {
		for _, imp := range f.Imports {
			if imp.Path != nil && imp.Path.Value == pkgPath {
				return true
			}
		}
	}
	return false
}
