package pagerduty

import (
	"errors"
	"fmt"

	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// fields looks up one field of an event description: an argument of
// sendEvent (interpreter.Arguments.Get) or a key of the record that
// endpoint's mapFn returned (values.Object.Get). Sharing it keeps the two
// ways of describing an event in step.
type fields func(name string) (values.Value, bool)

// readEvent reads an alert event. Absent and null fields read as empty, so
// that a resolve needs no severity or summary; event.Build then decides what
// is missing. Every field of the wrong type is reported, in one error.
func readEvent(get fields) (event.Input, error) {
	var errs []error
	str := func(name string) string {
		s, err := readString(get, name)
		errs = append(errs, err)
		return s
	}
	in := event.Input{
		RoutingKey: str(argRoutingKey), EventAction: str(argEventAction), DedupKey: str(argDedupKey),
		Client: str(argClient), ClientURL: str(argClientURL), Summary: str(argSummary),
		Source: str(argSource), Severity: str(argSeverity), Component: str(argComponent),
		Group: str(argGroup), Class: str(argClass),
	}
	var err error
	in.Timestamp, err = readTimestamp(get, argTimestamp)
	errs = append(errs, err)
	in.CustomDetails, err = readDetails(get, argCustomDetails)
	errs = append(errs, err)
	in.Links, err = readLinks(get, argLinks)
	errs = append(errs, err)
	in.Images, err = readImages(get, argImages)
	errs = append(errs, err)
	return in, errors.Join(errs...)
}

// readChange reads a change event, like readEvent.
func readChange(get fields) (event.ChangeInput, error) {
	var in event.ChangeInput
	var errs [6]error
	in.RoutingKey, errs[0] = readString(get, argRoutingKey)
	in.Summary, errs[1] = readString(get, argSummary)
	in.Source, errs[2] = readString(get, argSource)
	in.Timestamp, errs[3] = readTimestamp(get, argTimestamp)
	in.CustomDetails, errs[4] = readDetails(get, argCustomDetails)
	in.Links, errs[5] = readLinks(get, argLinks)
	return in, errors.Join(errs[:]...)
}

// present returns the named field, or false when it is absent or null.
func present(get fields, name string) (values.Value, bool) {
	v, ok := get(name)
	if !ok || v == nil || v.IsNull() {
		return nil, false
	}
	return v, true
}

// readString reads a string field; absent or null is "".
func readString(get fields, name string) (string, error) {
	v, ok := present(get, name)
	if !ok {
		return "", nil
	}
	if v.Type().Nature() != semantic.String {
		return "", fmt.Errorf("%s must be a string; got a value of type %s (hint: convert it with string(v: ...))", name, natureOf(v))
	}
	return v.Str(), nil
}

// readTimestamp reads a time or an ISO 8601 string; absent or null means
// none, so PagerDuty stamps the time it receives the event.
func readTimestamp(get fields, name string) (event.Timestamp, error) {
	v, ok := present(get, name)
	if !ok {
		return event.Timestamp{}, nil
	}
	return timestampFromValue(name, v)
}

// readDetails reads a record of custom details; absent, null or {} means
// none.
func readDetails(get fields, name string) (event.Details, error) {
	v, ok := present(get, name)
	if !ok {
		return nil, nil
	}
	if v.Type().Nature() != semantic.Object {
		return nil, errNotRecord(name, v)
	}
	return detailsFromRecord(name, v.Object())
}
