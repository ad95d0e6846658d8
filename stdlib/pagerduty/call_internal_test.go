package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux"
	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/values"
)

// TestCallReadingAll_AsDoFunctionCall: for a function that reads all its
// parameters when it succeeds, callReadingAll answers as
// interpreter.DoFunctionCallContext does, arguments it does not know
// included.
func TestCallReadingAll_AsDoFunctionCall(t *testing.T) {
	params := []string{"a", "b", "c"}
	index := func(name string) int { return slices.Index(params, name) }
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
				var seen []string
				for _, p := range params {
					if v, ok := get(p); ok {
						seen = append(seen, p+"="+v.Str())
					} else if v == nil || !v.IsNull() {
						return nil, fmt.Errorf("get(%q) of an absent argument = %v, want Null", p, v)
					}
				}
				if tt.fail {
					return nil, errors.New("refused")
				}
				return values.NewString(strings.Join(seen, ",")), nil
			}
			args := values.NewObjectWithValues(tt.args)
			wantV, wantErr := interpreter.DoFunctionCallContext(func(ctx context.Context, a interpreter.Arguments) (values.Value, error) {
				return f(ctx, a.Get)
			}, context.Background(), args)
			gotV, gotErr := callReadingAll(context.Background(), args, index, f)
			if diff := cmp.Diff(describeCall(wantV, wantErr), describeCall(gotV, gotErr)); diff != "" {
				t.Errorf("callReadingAll() mismatch (-DoFunctionCallContext +callReadingAll):\n%s", diff)
			}
		})
	}
}

func describeCall(v values.Value, err error) string {
	if err != nil {
		return "error " + flux.ErrorCode(err).String() + ": " + err.Error()
	}
	return "value: " + describe(v)
}

// TestSendEventParams_AreRead: sendEventParam numbers exactly what
// sendEvent reads of its arguments when it gets as far as sending, which
// callReadingAll relies on, each with its own number below maxParams.
func TestSendEventParams_AreRead(t *testing.T) {
	var read []string
	get := func(name string) (values.Value, bool) {
		read = append(read, name)
		return nil, false
	}
	_, _ = readEvent(get)
	_, _ = readURL(get, DefaultURL, DefaultURL)
	read = slices.Compact(slices.Sorted(slices.Values(read)))
	var numbers []int
	for _, name := range read {
		numbers = append(numbers, sendEventParam(name))
	}
	slices.Sort(numbers)
	want := make([]int, len(read))
	for i := range want {
		want[i] = i
	}
	if diff := cmp.Diff(want, numbers); diff != "" || len(read) > maxParams {
		t.Errorf("sendEventParam of the %d arguments sendEvent reads (%v) mismatch (-0 to %d +numbers):\n%s", len(read), read, len(read)-1, diff)
	}
	if got := sendEventParam("bogus"); got != -1 {
		t.Errorf("sendEventParam(%q) = %d, want -1", "bogus", got)
	}
}

// TestCallLevel_AsDoFunctionCall: a level helper answers as it did through
// interpreter.DoFunctionCallContext and GetRequired.
func TestCallLevel_AsDoFunctionCall(t *testing.T) {
	str := values.NewString
	tests := []struct {
		name string
		args map[string]values.Value
	}{
		{name: "crit", args: map[string]values.Value{"level": str("crit")}},
		{name: "OK", args: map[string]values.Value{"level": str("OK")}},
		{name: "unknown level", args: map[string]values.Value{"level": str("boom")}},
		{name: "null", args: map[string]values.Value{"level": values.Null}},
		{name: "missing", args: map[string]values.Value{}},
		{name: "missing, another given", args: map[string]values.Value{"lvl": str("crit")}},
		{name: "another one too", args: map[string]values.Value{"level": str("crit"), "zz": str("x"), "extra": str("y")}},
	}
	for _, f := range []func(string) string{SeverityFromLevel, ActionFromLevel, strings.ToUpper} {
		for _, tt := range tests {
			args := values.NewObjectWithValues(tt.args)
			wantV, wantErr := interpreter.DoFunctionCallContext(func(_ context.Context, a interpreter.Arguments) (values.Value, error) {
				v, err := a.GetRequired("level")
				if err != nil {
					return nil, err
				}
				s := ""
				if !v.IsNull() {
					s = v.Str()
				}
				return values.NewString(f(s)), nil
			}, context.Background(), args)
			gotV, gotErr := callLevel(args, "level", f)
			if diff := cmp.Diff(describeCall(wantV, wantErr), describeCall(gotV, gotErr)); diff != "" {
				t.Errorf("%s: callLevel() mismatch (-DoFunctionCallContext +callLevel):\n%s", tt.name, diff)
			}
		}
	}
}
