package pagerduty

import (
	"context"
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/values"
)

// maxParams bounds the parameters of a function callReadingAll calls.
const maxParams = 16

// paramIndex numbers a function's parameters from 0 (below maxParams);
// -1 for any other name.
type paramIndex func(name string) int

// callArgs are one call's arguments, filed by parameter in one pass over
// the call's record: Flux's record finds a field by comparing it with
// every label in turn, and a function reading 16 parameters would make
// some hundred string comparisons.
type callArgs struct {
	index paramIndex
	vals  [maxParams]values.Value
	found [maxParams]bool
}

// get is the call's argument name, as values.Object.Get gives it.
func (a *callArgs) get(name string) (values.Value, bool) {
	if i := a.index(name); i >= 0 && a.found[i] {
		return a.vals[i], true
	}
	return values.Null, false
}

// callReadingAll calls f with args as interpreter.DoFunctionCallContext
// does, for an f that reads every one of its parameters (numbered by
// index) whenever it succeeds: an argument outside them is then one f did
// not use, and after f succeeds it is the same error, with the same
// message. What it saves is DoFunctionCallContext's record of every
// argument read (a map per call) and the search of the record for each.
func callReadingAll(ctx context.Context, args values.Object, index paramIndex, f func(context.Context, fields) (values.Value, error)) (values.Value, error) {
	a := &callArgs{index: index}
	var unused []string
	args.Range(func(name string, v values.Value) {
		if i := index(name); i >= 0 {
			a.vals[i], a.found[i] = v, true
		} else {
			unused = append(unused, name)
		}
	})
	v, err := f(ctx, a.get)
	if err != nil {
		return nil, err
	}
	if len(unused) > 0 {
		return nil, &flux.Error{Code: codes.Invalid, Msg: fmt.Sprintf("unused arguments %v", unused)}
	}
	return v, nil
}
