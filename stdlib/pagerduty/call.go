package pagerduty

import (
	"context"
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/values"
)

// callReadingAll calls f with args as interpreter.DoFunctionCallContext
// does, for an f that reads every one of params whenever it succeeds: an
// argument outside params is then one f did not use, and after f succeeds
// it is the same error, with the same message. What it saves is
// DoFunctionCallContext's record of every argument read, a map per call.
func callReadingAll(ctx context.Context, args values.Object, params map[string]bool, f func(context.Context, fields) (values.Value, error)) (values.Value, error) {
	v, err := f(ctx, args.Get)
	if err != nil {
		return nil, err
	}
	var unused []string
	args.Range(func(name string, _ values.Value) {
		if !params[name] {
			unused = append(unused, name)
		}
	})
	if len(unused) > 0 {
		return nil, &flux.Error{Code: codes.Invalid, Msg: fmt.Sprintf("unused arguments %v", unused)}
	}
	return v, nil
}

// paramSet is the set of a function's parameter names.
func paramSet(names ...string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set
}
