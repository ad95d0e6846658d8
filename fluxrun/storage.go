package fluxrun

import (
	"strings"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/stdlib/influxdata/influxdb"
)

// noStorageMsg says why from() cannot run here and what to do instead.
const noStorageMsg = "from() reads InfluxDB's storage, and fluxpd run has none: " +
	"read local data with csv.from(csv: ...) or csv.from(file: ...) (pin now() with --now TIME so that range() selects it), " +
	"or run the script in the InfluxDB builds bin/influxd-fluxpd (1.8.10) or bin/influxd2-fluxpd (2.0.0-beta.8)"

// unsupportedFrom is how Flux's executor (v0.65.1 and v0.67.0,
// execute/executor.go) refuses a from() when no storage source is
// registered for it; it returns a plain error, so only its text tells.
var unsupportedFrom = "unsupported source kind " + influxdb.FromKind

// explainNoStorage turns the executor's "unsupported source kind from",
// which a script using from() gets when it is executed or when tableFind,
// findRecord or findColumn read from() while it is evaluated, into an error
// that says why and what to do. Other errors pass unchanged.
func explainNoStorage(err error) error {
	if err == nil || !strings.Contains(err.Error(), unsupportedFrom) {
		return err
	}
	return &flux.Error{Code: codes.Unimplemented, Msg: noStorageMsg}
}
