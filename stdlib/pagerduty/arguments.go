package pagerduty

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
)

// This file turns Flux values (a function's arguments, or the record
// endpoint's mapFn returns) into the event core's input.

// fields looks up one field of an event description: an argument of
// sendEvent (interpreter.Arguments.Get) or a key of the record that
// endpoint's mapFn returned (values.Object.Get). Sharing it keeps the two
// ways of describing an event in step.
type fields func(name string) (values.Value, bool)

// Examples shown in errors about values of the wrong type.
var stringExamples = map[string]string{
	argRoutingKey:  `secrets.get(key: "PAGERDUTY_ROUTING_KEY")`,
	argSeverity:    `"critical"`,
	argEventAction: `"trigger"`,
	argDedupKey:    `"db01/cpu"`,
	argSource:      `"db01.example.com"`,
	argSummary:     `"CPU load 9.75 on db01"`,
	argURL:         `"` + DefaultURL + `"`,
}

const (
	detailsExample = `{host: r.host, "ping time": r.ping}`
	linkExample    = `{href: "https://runbooks.example.com/disk", text: "Runbook"}`
	imageExample   = `{src: "https://graphs.example.com/disk.png", href: "https://graphs.example.com", alt: "Disk usage"}`
)

// eventFieldNames are the fields readEvent reads, in the order the README
// lists them: the parameters of sendEvent but pagerdutyURL, and so the
// fields of the record endpoint's mapFn returns.
var eventFieldNames = []string{
	argRoutingKey, argClient, argClientURL, argDedupKey, argClass, argGroup, argSeverity, argEventAction,
	argSource, argComponent, argSummary, argTimestamp, argCustomDetails, argLinks, argImages,
}

// readEvent reads an alert event. Absent and null fields read as empty, so
// that a resolve needs no severity or summary; event.Build then decides what
// is missing. Every field of the wrong type is reported, in one error.
func readEvent(get fields) (event.Input, error) {
	var in event.Input
	var errs [15]error
	in.RoutingKey, errs[0] = readString(get, argRoutingKey)
	in.EventAction, errs[1] = readString(get, argEventAction)
	in.DedupKey, errs[2] = readString(get, argDedupKey)
	in.Client, errs[3] = readString(get, argClient)
	in.ClientURL, errs[4] = readString(get, argClientURL)
	in.Summary, errs[5] = readString(get, argSummary)
	in.Source, errs[6] = readString(get, argSource)
	in.Severity, errs[7] = readString(get, argSeverity)
	in.Component, errs[8] = readString(get, argComponent)
	in.Group, errs[9] = readString(get, argGroup)
	in.Class, errs[10] = readString(get, argClass)
	in.Timestamp, errs[11] = readTimestamp(get, argTimestamp)
	in.CustomDetails, errs[12] = readDetails(get, argCustomDetails)
	in.Links, errs[13] = readLinks(get, argLinks)
	in.Images, errs[14] = readImages(get, argImages)
	return in, joinErrors(errs[:])
}

// joinErrors is errors.Join(errs...), without its work when every one is
// nil, as for a valid event.
func joinErrors(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return errors.Join(errs...)
		}
	}
	return nil
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

// readURL reads pagerdutyURL, or takes fallback (the option's value) when
// it is absent, and checks it: the Target is sent to without a second
// check.
func readURL(get fields, fallback, example string) (delivery.Target, error) {
	if _, ok := present(get, argURL); !ok {
		return delivery.ParseTarget("option pagerduty."+urlOption(example), fallback, example)
	}
	raw, err := readString(get, argURL)
	if err != nil {
		return delivery.Target{}, err
	}
	return delivery.ParseTarget(argURL, raw, example)
}

func urlOption(example string) string {
	if example == DefaultChangeURL {
		return optChangeURL
	}
	return optURL
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
		want := "a string"
		if ex, ok := stringExamples[name]; ok {
			want += " such as " + ex
		}
		return "", fmt.Errorf("%s must be %s; got %s (hint: convert a value with string(v: ...))", name, want, describe(v))
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
	switch v.Type().Nature() {
	case semantic.Time:
		return event.TimestampAt(v.Time().Time()), nil
	case semantic.String:
		return event.TimestampString(v.Str()), nil
	default:
		return event.Timestamp{}, fmt.Errorf("%s must be a time such as now() or r._time, or an ISO 8601 date-time string such as \"2016-07-17T08:42:58.315+0000\"; got %s", name, describe(v))
	}
}

// readDetails reads a record of custom details; absent, null or {} means
// none.
func readDetails(get fields, name string) (event.Details, error) {
	v, ok := present(get, name)
	if !ok {
		return nil, nil
	}
	if v.Type().Nature() != semantic.Object {
		return nil, fmt.Errorf("%s must be a record such as %s; got %s", name, detailsExample, describe(v))
	}
	return detailsFromRecord(name, v.Object())
}

// readLinks reads an array of {href, text} records; absent or null means
// none. text may be left out of any record. event.Build checks the hrefs.
func readLinks(get fields, name string) ([]event.Link, error) {
	v, ok := present(get, name)
	if !ok {
		return nil, nil
	}
	var links []event.Link
	err := readRecords(v, name, linkKeys, linkExample, func(r map[string]string) {
		links = append(links, event.Link{Href: r["href"], Text: r["text"]})
	})
	return links, err
}

// readImages reads an array of {src, href, alt} records; absent or null
// means none. href and alt may be left out of any record. event.Build
// checks that every src is an https URL.
func readImages(get fields, name string) ([]event.Image, error) {
	v, ok := present(get, name)
	if !ok {
		return nil, nil
	}
	var images []event.Image
	err := readRecords(v, name, imageKeys, imageExample, func(r map[string]string) {
		images = append(images, event.Image{Src: r["src"], Href: r["href"], Alt: r["alt"]})
	})
	return images, err
}

// The keys of a link's and an image's record.
var (
	linkKeys  = []string{"href", "text"}
	imageKeys = []string{"src", "href", "alt"}
)

// readRecords reads v, the value of the field name, as an array of
// records whose values are strings, calling add with each record's keys
// and values; a key absent or null reads as "".
//
// Flux v0.65.1 accepts records with different keys in one array literal
// (such as [{href: a}, {href: b, text: c}]), so every record is read on its
// own. Keys outside valid are refused rather than ignored, so that a typo
// such as {url: ...} is not silently dropped.
func readRecords(v values.Value, name string, valid []string, example string, add func(map[string]string)) error {
	if v.Type().Nature() != semantic.Array {
		return fmt.Errorf("%s must be an array of records such as [%s]; got %s", name, example, describe(v))
	}
	var err error
	v.Array().Range(func(i int, e values.Value) {
		if err != nil {
			return
		}
		var r map[string]string
		r, err = readStringRecord(fmt.Sprintf("%s[%d]", name, i), e, valid, example)
		if err == nil {
			add(r)
		}
	})
	return err
}

// readStringRecord reads one record of readRecords; path names it in errors.
func readStringRecord(path string, v values.Value, valid []string, example string) (map[string]string, error) {
	if v.Type().Nature() != semantic.Object {
		return nil, fmt.Errorf("%s must be a record such as %s; got %s", path, example, describe(v))
	}
	r := make(map[string]string, len(valid))
	var err error
	v.Object().Range(func(k string, x values.Value) {
		switch {
		case err != nil:
		case !slices.Contains(valid, k):
			err = fmt.Errorf("%s has the unknown key %s; valid keys are %s", path, event.Quote(k), strings.Join(valid, ", "))
		case x == nil || x.IsNull():
		case x.Type().Nature() != semantic.String:
			err = fmt.Errorf("%s.%s must be a string; got %s", path, k, describe(x))
		default:
			r[k] = x.Str()
		}
	})
	return r, err
}

// detailsFromRecord converts a Flux record into custom details, keeping its
// keys in order. path names the parameter in errors, e.g. "customDetails".
func detailsFromRecord(path string, obj values.Object) (event.Details, error) {
	if obj == nil || obj.Len() == 0 {
		return nil, nil
	}
	d := make(event.Details, 0, obj.Len())
	var err error
	obj.Range(func(k string, v values.Value) {
		if err != nil {
			return
		}
		var x any
		x, err = goValue(detailPath{parent: path, key: k}, v)
		d = append(d, event.Field{Key: k, Value: x})
	})
	return d, err
}

// detailPath names one custom detail in errors: the key of a record or
// the index of an array under parent. It is made into text only when it
// is needed, for an error or a nested value.
type detailPath struct {
	parent, key string
	index       int
	inArray     bool // index names it, not key
}

func (p detailPath) String() string {
	if p.inArray {
		return p.parent + "[" + strconv.Itoa(p.index) + "]"
	}
	return event.KeyPath(p.parent, p.key)
}

// goValue converts one Flux value into the Go value event.Details carries.
func goValue(path detailPath, v values.Value) (any, error) {
	if v == nil || v.IsNull() {
		return nil, nil
	}
	switch v.Type().Nature() {
	case semantic.String:
		return v.Str(), nil
	case semantic.Int:
		return v.Int(), nil
	case semantic.UInt:
		return v.UInt(), nil
	case semantic.Float:
		return v.Float(), nil
	case semantic.Bool:
		return v.Bool(), nil
	case semantic.Time:
		return v.Time().Time(), nil
	case semantic.Duration:
		return v.Duration().String(), nil
	case semantic.Bytes:
		return string(v.Bytes()), nil
	case semantic.Regexp:
		return v.Regexp().String(), nil
	case semantic.Array:
		return goArray(path.String(), v.Array())
	case semantic.Object:
		return detailsFromRecord(path.String(), v.Object())
	default:
		return nil, fmt.Errorf("%s is a %s, which cannot be sent as JSON; use a string, number, bool, time, duration, record or array", path, natureOf(v))
	}
}

func goArray(path string, arr values.Array) ([]any, error) {
	out := make([]any, arr.Len())
	var err error
	arr.Range(func(i int, e values.Value) {
		if err == nil {
			out[i], err = goValue(detailPath{parent: path, index: i, inArray: true}, e)
		}
	})
	return out, err
}

// natureOf names the kind of v for errors. A polymorphic value, such as the
// function (x) => x, has no monotype: its Type() is Invalid, so its
// PolyType() is asked instead.
func natureOf(v values.Value) semantic.Nature {
	if n := v.Type().Nature(); n != semantic.Invalid {
		return n
	}
	return v.PolyType().Nature()
}

// describe names a wrong value's type and, for scalars, the value itself:
// `int 3`, `string "x"`, `record`.
func describe(v values.Value) string {
	n := natureOf(v)
	switch n {
	case semantic.String:
		return "string " + event.Quote(v.Str())
	case semantic.Int:
		return "int " + strconv.FormatInt(v.Int(), 10)
	case semantic.UInt:
		return "uint " + strconv.FormatUint(v.UInt(), 10)
	case semantic.Float:
		return "float " + strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case semantic.Bool:
		return "bool " + strconv.FormatBool(v.Bool())
	case semantic.Time:
		return "time " + v.Time().String()
	case semantic.Duration:
		return "duration " + v.Duration().String()
	case semantic.Object:
		return "a record"
	case semantic.Array:
		return "an array"
	case semantic.Function:
		return "a function"
	default:
		return "a value of type " + n.String()
	}
}
