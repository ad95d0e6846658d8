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
		return nil, invalid(err)
	}
	ev, _, err := event.Build(in)
	if err != nil {
		return nil, invalid(err)
	}
	return sendJSON(ctx, args, ev, in.RoutingKey)
}

// readEventInput reads the event parameters from args.
func readEventInput(args interpreter.Arguments) (event.Input, error) {
	s := make(map[string]string, len(eventStringArgs))
	for _, name := range eventStringArgs {
		v, _, err := args.GetString(name)
		if err != nil {
			return event.Input{}, err
		}
		s[name] = v
	}
	in := event.Input{
		RoutingKey: s[argRoutingKey], EventAction: s[argEventAction], DedupKey: s[argDedupKey],
		Client: s[argClient], ClientURL: s[argClientURL], Summary: s[argSummary],
		Source: s[argSource], Severity: s[argSeverity], Component: s[argComponent],
		Group: s[argGroup], Class: s[argClass],
	}
	var err error
	if ts, ok := args.Get(argTimestamp); ok {
		if in.Timestamp, err = timestampFromValue(argTimestamp, ts); err != nil {
			return in, err
		}
	}
	in.CustomDetails, err = optionalDetails(args, argCustomDetails)
	return in, err
}

// optionalDetails reads a record argument as custom details; absent or
// empty means none.
func optionalDetails(args interpreter.Arguments, name string) (event.Details, error) {
	v, ok := args.Get(name)
	if !ok || v.IsNull() {
		return nil, nil
	}
	if v.Type().Nature() != semantic.Object {
		return nil, errNotRecord(name, v)
	}
	return detailsFromRecord(name, v.Object())
}
