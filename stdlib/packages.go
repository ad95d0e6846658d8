// Package stdlib links the Flux standard library with fluxpd's native
// pagerduty package in place of upstream's.
//
// It imports every package of github.com/influxdata/flux/stdlib except
// upstream's pagerduty (which would register the import path "pagerduty" a
// second time) and flux's internal ones (which Go does not let us import).
// Import github.com/fluxpd/fluxpd/stdlib/builtin rather than this package:
// it also finalizes the builtins.
package stdlib

import (
	_ "github.com/influxdata/flux/stdlib/csv"
	_ "github.com/influxdata/flux/stdlib/date"
	_ "github.com/influxdata/flux/stdlib/experimental"
	_ "github.com/influxdata/flux/stdlib/experimental/aggregate"
	_ "github.com/influxdata/flux/stdlib/experimental/bigtable"
	_ "github.com/influxdata/flux/stdlib/experimental/csv"
	_ "github.com/influxdata/flux/stdlib/experimental/geo"
	_ "github.com/influxdata/flux/stdlib/experimental/http"
	_ "github.com/influxdata/flux/stdlib/experimental/mqtt"
	_ "github.com/influxdata/flux/stdlib/experimental/prometheus"
	_ "github.com/influxdata/flux/stdlib/experimental/query"
	_ "github.com/influxdata/flux/stdlib/generate"
	_ "github.com/influxdata/flux/stdlib/http"
	_ "github.com/influxdata/flux/stdlib/influxdata/influxdb"
	_ "github.com/influxdata/flux/stdlib/influxdata/influxdb/monitor"
	_ "github.com/influxdata/flux/stdlib/influxdata/influxdb/secrets"
	_ "github.com/influxdata/flux/stdlib/influxdata/influxdb/v1"
	_ "github.com/influxdata/flux/stdlib/json"
	_ "github.com/influxdata/flux/stdlib/kafka"
	_ "github.com/influxdata/flux/stdlib/math"
	_ "github.com/influxdata/flux/stdlib/planner"
	_ "github.com/influxdata/flux/stdlib/regexp"
	_ "github.com/influxdata/flux/stdlib/runtime"
	_ "github.com/influxdata/flux/stdlib/slack"
	_ "github.com/influxdata/flux/stdlib/socket"
	_ "github.com/influxdata/flux/stdlib/sql"
	_ "github.com/influxdata/flux/stdlib/strings"
	_ "github.com/influxdata/flux/stdlib/system"
	_ "github.com/influxdata/flux/stdlib/testing"
	_ "github.com/influxdata/flux/stdlib/universe"

	_ "github.com/fluxpd/fluxpd/stdlib/pagerduty" // fluxpd's native pagerduty
	_ "github.com/fluxpd/fluxpd/stdlib/universe"  // findRecord and findColumn, backported from Flux v0.68
)
