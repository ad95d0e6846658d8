package pagerduty

import (
	"context"

	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// Argument names of _sendEvent. They match the parameters of sendEvent in
// pagerduty.flux, which passes them through one for one.
const (
	argURL            = "pagerdutyURL"
	argRoutingKey     = "routingKey"
	argClient         = "client"
	argClientURL      = "clientURL"
	argDedupKey       = "dedupKey"
	argClass          = "class"
	argGroup          = "group"
	argSeverity       = "severity"
	argEventAction    = "eventAction"
	argSource         = "source"
	argComponent      = "component"
	argSummary        = "summary"
	argTimestamp      = "timestamp"
	argCustomDetails  = "customDetails"
	argLinks          = "links"
	argImages         = "images"
	argMaxRetries     = "maxRetries"
	argAttemptTimeout = "attemptTimeout"
	argDeadline       = "deadline"
)

// eventStringArgs are the plain string parameters of an alert event.
var eventStringArgs = []string{
	argRoutingKey, argClient, argClientURL, argDedupKey, argClass, argGroup,
	argSeverity, argEventAction, argSource, argComponent, argSummary,
}

var sendEventFunc = values.NewFunction(
	"_sendEvent",
	semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
		Parameters: sendEventParams(),
		Required:   semantic.LabelSet{argURL, argRoutingKey, argClient, argClientURL, argDedupKey, argClass, argGroup, argSeverity, argEventAction, argSource, argSummary, argTimestamp},
		Return:     semantic.Int,
	}),
	func(ctx context.Context, args values.Object) (values.Value, error) {
		return interpreter.DoFunctionCallContext(SendEvent, ctx, args)
	},
	true, // sends an event to PagerDuty
)

func sendEventParams() map[string]semantic.PolyType {
	p := map[string]semantic.PolyType{
		argURL:           semantic.String,
		argTimestamp:     semantic.Tvar(1),
		argCustomDetails: semantic.Tvar(2),
		argLinks:         semantic.NewArrayPolyType(semantic.Tvar(3)),
		argImages:        semantic.NewArrayPolyType(semantic.Tvar(4)),
	}
	for _, name := range eventStringArgs {
		p[name] = semantic.String
	}
	for name, t := range deliveryParams() {
		p[name] = t
	}
	return p
}

// SendEvent reads the arguments of pagerduty._sendEvent, sends the event and
// returns PagerDuty's HTTP status code.
func SendEvent(ctx context.Context, args interpreter.Arguments) (values.Value, error) {
	in, err := readEventInput(args)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	ev, _, err := event.Build(in)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	return sendJSON(ctx, args, ev, in.RoutingKey)
}

// readEventInput reads the event parameters from args.
func readEventInput(args interpreter.Arguments) (event.Input, error) {
	return readEvent(args.Get)
}
