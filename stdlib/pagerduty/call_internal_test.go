package pagerduty

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/values"
)

// TestCallReadingAll_AsDoFunctionCall: for a function that reads all its
// parameters when it succeeds, callReadingAll answers as
// interpreter.DoFunctionCallContext does, arguments it does not know
// included.
func TestCallReadingAll_AsDoFunctionCall(t *testing.T) {
	params := paramSet("a", "b", "c")
	str := values.NewString
	tests := []struct {
		name string
		args map[string]values.Value
		fail bool
	}{
		{name: "all", args: map[string]values.Value{"a": str("1"), "b": str("2"), "c": str("3")}},
		{name: "some", args: map[string]values.Value{"b": str("2")}},
		{name: "unknown ones", args: map[string]values.Value{"a": str("1"), "zz": str("x"), "bogus": str("y")}},
		{name: "unknown, and the function fails", args: map[string]values.Value{"bogus": str("y")}, fail: true},
		{name: "none", args: map[string]values.Value{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := func(_ context.Context, get fields) (values.Value, error) {
				for _, p := range slices.Sorted(maps.Keys(params)) {
					get(p)
				}
				if tt.fail {
					return nil, errors.New("refused")
				}
				return values.NewInt(202), nil
			}
			args := values.NewObjectWithValues(tt.args)
			wantV, wantErr := interpreter.DoFunctionCallContext(func(ctx context.Context, a interpreter.Arguments) (values.Value, error) {
				return f(ctx, a.Get)
			}, context.Background(), args)
			gotV, gotErr := callReadingAll(context.Background(), args, params, f)
			if diff := cmp.Diff(describeCall(wantV, wantErr), describeCall(gotV, gotErr)); diff != "" {
				t.Errorf("callReadingAll() mismatch (-DoFunctionCallContext +callReadingAll):\n%s", diff)
			}
		})
	}
}

func describeCall(v values.Value, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return "value: " + describe(v)
}

// TestSendEventParams_AreRead: what sendEvent reads of its arguments, when
// it gets as far as sending, is exactly its parameters, which
// callReadingAll relies on.
func TestSendEventParams_AreRead(t *testing.T) {
	var read []string
	get := func(name string) (values.Value, bool) {
		read = append(read, name)
		return nil, false
	}
	_, _ = readEvent(get)
	_, _ = readURL(get, DefaultURL, DefaultURL)
	want := slices.Sorted(maps.Keys(sendEventParams))
	if diff := cmp.Diff(want, slices.Compact(slices.Sorted(slices.Values(read)))); diff != "" {
		t.Errorf("arguments sendEvent reads (-sendEventParams +read):\n%s", diff)
	}
}
