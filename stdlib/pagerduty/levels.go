package pagerduty

import (
	"context"
	"strings"

	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// The level helpers are Go builtins rather than Flux functions because they
// are called once per row inside map() and endpoint's mapFn. In Flux
// v0.65.1 every call of a Flux-written function from a running query copies
// the scope it closes over, the universe package included (see
// interpreter.mutateFunctionScope): over 100 KB of allocations per call,
// more than the rest of an event's work. A Go builtin is called directly. Their behaviour is that of upstream's
// Flux definitions, plus null (an empty CSV cell) read as an unknown level.

// levelFunc returns a builtin taking one string argument param and mapping
// it with f.
func levelFunc(name, param string, f func(string) string) values.Function {
	return values.NewFunction(
		name,
		semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
			Parameters: map[string]semantic.PolyType{param: semantic.String},
			Required:   semantic.LabelSet{param},
			Return:     semantic.String,
		}),
		func(_ context.Context, args values.Object) (values.Value, error) {
			return callLevel(args, param, f)
		},
		false,
	)
}

// SeverityFromLevel converts a monitoring level to a PagerDuty severity:
// crit is critical, warn is warning, info and ok are info, anything else is
// error; case does not matter.
func SeverityFromLevel(level string) string {
	switch strings.ToLower(level) {
	case "crit":
		return event.Critical
	case "warn":
		return event.Warning
	case "info", "ok":
		return event.Info
	}
	return event.Error
}

// ActionFromLevel converts a monitoring level (or, for actionFromSeverity,
// a severity) to an event action: ok is resolve, anything else is trigger;
// case does not matter.
func ActionFromLevel(level string) string {
	if strings.ToLower(level) == "ok" {
		return event.Resolve
	}
	return event.Trigger
}

// The level helpers, as registered in package.go.
var (
	severityFromLevelFunc  = levelFunc("severityFromLevel", "level", SeverityFromLevel)
	actionFromLevelFunc    = levelFunc("actionFromLevel", "level", ActionFromLevel)
	actionFromSeverityFunc = levelFunc("actionFromSeverity", "severity", ActionFromLevel)
)
