package pagerduty

import (
	"fmt"
	"strconv"

	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

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
		x, err = goValue(event.KeyPath(path, k), v)
		d = append(d, event.Field{Key: k, Value: x})
	})
	return d, err
}

// goValue converts one Flux value into the Go value event.Details carries.
func goValue(path string, v values.Value) (any, error) {
	if v == nil || v.IsNull() {
		return nil, nil
	}
	switch n := v.Type().Nature(); n {
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
		return goArray(path, v.Array())
	case semantic.Object:
		return detailsFromRecord(path, v.Object())
	default:
		return nil, fmt.Errorf("%s is a %s, which cannot be sent as JSON; use a string, number, bool, time, duration, record or array", path, natureOf(v))
	}
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

func goArray(path string, arr values.Array) ([]any, error) {
	out := make([]any, arr.Len())
	var err error
	arr.Range(func(i int, e values.Value) {
		if err == nil {
			out[i], err = goValue(path+"["+strconv.Itoa(i)+"]", e)
		}
	})
	return out, err
}

// timestampFromValue accepts a time, a string or null.
func timestampFromValue(param string, v values.Value) (event.Timestamp, error) {
	if v == nil || v.IsNull() {
		return event.Timestamp{}, nil
	}
	switch n := v.Type().Nature(); n {
	case semantic.Time:
		return event.TimeStamp(v.Time().Time()), nil
	case semantic.String:
		return event.StringStamp(v.Str()), nil
	default:
		return event.Timestamp{}, fmt.Errorf("%s must be a time or an ISO 8601 date-time string; got a value of type %s (hint: pass now() or a time column such as r._time)", param, natureOf(v))
	}
}
