// Package fluxpdruntime makes Flux's runtime.version() name the Flux this
// server runs: the derived copy of flux v0.65.1 (scripts/flux-derive.sh).
//
// Stock runtime.version() reads the flux module's version from the build
// info; a module replaced by a local directory has none, so it would return
// "". This package replaces the builtin with one returning Version.
//
// It must be initialised before Flux finalises its builtins: Go initialises
// packages in import-path order where dependencies allow, and
// github.com/fluxpd/... sorts before github.com/influxdata/influxdb/...,
// whose query/builtin package does the finalising.
package fluxpdruntime

import (
	"context"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	fluxruntime "github.com/influxdata/flux/stdlib/runtime"
)

// Version is what runtime.version() returns in this build.
const Version = "v0.65.1+fluxpd"

func init() {
	_ = fluxruntime.Version // runtime.version must be registered before it is replaced
	flux.ReplacePackageValue("runtime", "version", values.NewFunction(
		"version",
		semantic.NewFunctionPolyType(semantic.FunctionPolySignature{Return: semantic.String}),
		func(context.Context, values.Object) (values.Value, error) {
			return values.NewString(Version), nil
		},
		false,
	))
}
