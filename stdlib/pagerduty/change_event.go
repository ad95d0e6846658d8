package pagerduty

import (
	"context"

	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// unsetFunc is pagerduty._unset: it returns null, whose type is a type
// variable. It is the default of parameters that take more than one type,
// such as sendChangeEvent's timestamp (a time or a string): in Flux v0.65.1
// a default such as "" would fix the parameter's type to string, and
// timestamp: now() would then fail to type-check. The builtins read null as
// "not given".
var unsetFunc = values.NewFunction(
	"_unset",
	semantic.NewFunctionPolyType(semantic.FunctionPolySignature{Return: semantic.Tvar(1)}),
	func(context.Context, values.Object) (values.Value, error) { return values.Null, nil },
	false,
)

// sendChangeEventFunc is pagerduty._sendChangeEvent. Its arguments are
// named like those of _sendEvent; sendChangeEvent in pagerduty.flux passes
// them through one for one.
var sendChangeEventFunc = values.NewFunction(
	"_sendChangeEvent",
	semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
		Parameters: sendChangeEventParams(),
		Required:   semantic.LabelSet{argURL, argRoutingKey, argSummary},
		Return:     semantic.Int,
	}),
	func(ctx context.Context, args values.Object) (values.Value, error) {
		return interpreter.DoFunctionCallContext(SendChangeEvent, ctx, args)
	},
	true, // sends a change event to PagerDuty
)

func sendChangeEventParams() map[string]semantic.PolyType {
	p := map[string]semantic.PolyType{
		argURL:           semantic.String,
		argRoutingKey:    semantic.String,
		argSummary:       semantic.String,
		argSource:        semantic.String,
		argTimestamp:     semantic.Tvar(1),
		argCustomDetails: semantic.Tvar(2),
		argLinks:         semantic.NewArrayPolyType(semantic.Tvar(3)),
	}
	for name, t := range deliveryParams() {
		p[name] = t
	}
	return p
}

// SendChangeEvent reads the arguments of pagerduty._sendChangeEvent, sends
// the change event to the change events URL and returns PagerDuty's HTTP
// status code, like SendEvent.
func SendChangeEvent(ctx context.Context, args interpreter.Arguments) (values.Value, error) {
	in, err := readChange(args.Get)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	ev, _, err := event.BuildChange(in)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	return sendJSON(ctx, args, ev, in.RoutingKey)
}
