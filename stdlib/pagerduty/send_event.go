package pagerduty

import (
	"context"

	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// Parameter names of sendEvent, which are also the fields of the record
// endpoint's mapFn returns, and of sendChangeEvent.
const (
	argURL           = "pagerdutyURL"
	argRoutingKey    = "routingKey"
	argClient        = "client"
	argClientURL     = "clientURL"
	argDedupKey      = "dedupKey"
	argClass         = "class"
	argGroup         = "group"
	argSeverity      = "severity"
	argEventAction   = "eventAction"
	argSource        = "source"
	argComponent     = "component"
	argSummary       = "summary"
	argTimestamp     = "timestamp"
	argCustomDetails = "customDetails"
	argLinks         = "links"
	argImages        = "images"
)

// sendEventFunc is pagerduty.sendEvent. Every parameter has its own type
// variable, so that a value of the wrong type reaches SendEvent and gets a
// message naming the parameter, instead of a type checker's "string !=
// int" with a position.
var sendEventFunc = values.NewFunction(
	"sendEvent",
	semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
		Parameters: anyTypes(argURL, argRoutingKey, argClient, argClientURL, argDedupKey, argClass, argGroup,
			argSeverity, argEventAction, argSource, argComponent, argSummary, argTimestamp, argCustomDetails, argLinks, argImages),
		Required: semantic.LabelSet{argRoutingKey, argClient, argClientURL, argDedupKey, argClass, argGroup,
			argSeverity, argEventAction, argSource, argSummary, argTimestamp},
		Return: semantic.Int,
	}),
	func(ctx context.Context, args values.Object) (values.Value, error) {
		return callReadingAll(ctx, args, sendEventParam, sendEvent)
	},
	true, // sends an event to PagerDuty
)

// sendEventParam numbers the parameters of sendEvent, every one of which
// sendEvent reads whenever it succeeds (see callReadingAll).
func sendEventParam(name string) int {
	switch name {
	case argURL:
		return 0
	case argRoutingKey:
		return 1
	case argClient:
		return 2
	case argClientURL:
		return 3
	case argDedupKey:
		return 4
	case argClass:
		return 5
	case argGroup:
		return 6
	case argSeverity:
		return 7
	case argEventAction:
		return 8
	case argSource:
		return 9
	case argComponent:
		return 10
	case argSummary:
		return 11
	case argTimestamp:
		return 12
	case argCustomDetails:
		return 13
	case argLinks:
		return 14
	case argImages:
		return 15
	}
	return -1
}

// SendEvent reads the arguments of pagerduty.sendEvent, sends the event and
// returns PagerDuty's HTTP status code.
func SendEvent(ctx context.Context, args interpreter.Arguments) (values.Value, error) {
	return sendEvent(ctx, args.Get)
}

func sendEvent(ctx context.Context, get fields) (values.Value, error) {
	s, err := settingsFrom(ctx)
	if err != nil {
		return nil, err
	}
	in, err := readEvent(get)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	target, err := readURL(get, s.url, DefaultURL)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	ev, notice, err := event.Build(in)
	if err != nil {
		return nil, invalid(err, in.RoutingKey)
	}
	m := message{Function: "sendEvent", Target: target, RoutingKey: in.RoutingKey, DedupKey: in.DedupKey}
	return sendOne(ctx, s, m, ev, notice)
}
