package pagerduty

import (
	"context"

	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// sendChangeEventFunc is pagerduty.sendChangeEvent; its parameters are
// named like those of sendEvent and typed the same way.
var sendChangeEventFunc = values.NewFunction(
	"sendChangeEvent",
	semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
		Parameters: anyTypes(argURL, argRoutingKey, argSummary, argSource, argTimestamp, argCustomDetails, argLinks),
		Required:   semantic.LabelSet{argRoutingKey, argSummary},
		Return:     semantic.Int,
	}),
	func(ctx context.Context, args values.Object) (values.Value, error) {
		return interpreter.DoFunctionCallContext(SendChangeEvent, ctx, args)
	},
	true, // sends a change event to PagerDuty
)

// SendChangeEvent reads the arguments of pagerduty.sendChangeEvent, sends
// the change event to the change events URL and returns PagerDuty's HTTP
// status code, like SendEvent.
func SendChangeEvent(ctx context.Context, args interpreter.Arguments) (values.Value, error) {
	s, err := settingsFrom(ctx)
	if err != nil {
		return nil, err
	}
	in, err := readChange(args.Get)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	target, err := readURL(args.Get, s.changeURL, DefaultChangeURL)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	ev, notice, err := event.BuildChange(in)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	m := message{Function: "sendChangeEvent", Target: target, RoutingKey: in.RoutingKey}
	return sendOne(ctx, s, m, ev, notice)
}
