package event

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
)

// Details is an ordered JSON object: custom_details keep the keys in the
// order the user wrote them, exactly as spelled ("ping time" stays
// "ping time").
//
// A value is one of: nil, string, bool, int64, uint64, float64, time.Time
// (sent as RFC 3339 with nanoseconds in UTC), []any of these, or a nested
// Details.
type Details []Field

// Field is one key of a Details object.
type Field struct {
	Key   string
	Value any
}

// MarshalJSON encodes d as a JSON object in key order.
func (d Details) MarshalJSON() ([]byte, error) {
	return appendValue(nil, d)
}

// Check reports the first value that JSON cannot carry (NaN, ±Inf, or a Go
// type outside the list above), naming its path from root, for example
// customDetails.load or customDetails["ping time"][2].
func (d Details) Check(root string) error {
	if carriable(d) {
		return nil // no path is named, so none is made
	}
	return checkValue(root, d)
}

// carriable reports whether checkValue would find nothing wrong in v.
func carriable(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, int64, uint64, time.Time:
		return true
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	case []any:
		for _, e := range v {
			if !carriable(e) {
				return false
			}
		}
		return true
	case Details:
		for _, f := range v {
			if !carriable(f.Value) {
				return false
			}
		}
		return true
	}
	return false
}

func checkValue(path string, v any) error {
	switch v := v.(type) {
	case nil, string, bool, int64, uint64, time.Time:
		return nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s is %v, which JSON cannot represent; replace it with null or a number, for example with a conditional in map()", path, v)
		}
		return nil
	case []any:
		for i, e := range v {
			if err := checkValue(path+"["+strconv.Itoa(i)+"]", e); err != nil {
				return err
			}
		}
		return nil
	case Details:
		for _, f := range v {
			if err := checkValue(KeyPath(path, f.Key), f.Value); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("%s has unsupported type %T", path, v)
	}
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// KeyPath names a key of the object at path the way errors show it:
// customDetails.load, or customDetails["ping time"] for a key that is not an
// identifier.
func KeyPath(path, key string) string {
	if identifier.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + Quote(key) + "]"
}

// unsupported is the error for a custom detail of a type outside
// Details's list.
func unsupported(v any) error { return fmt.Errorf("unsupported custom detail type %T", v) }

// FormatTime formats t the way fluxpd sends every time: RFC 3339 with
// nanoseconds, in UTC.
func FormatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
