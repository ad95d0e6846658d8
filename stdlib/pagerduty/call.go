package pagerduty

import (
	"context"
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
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

// callLevel is one call of a level helper (levelFunc): its one string
// parameter param read as interpreter.DoFunctionCallContext and
// GetRequired read it (null as ""), mapped with f. It skips their record
// of the arguments read, and f's answers that are event constants have
// their Flux values made once: the helpers run twice a row in a typical
// map().
func callLevel(args values.Object, param string, f func(string) string) (values.Value, error) {
	v, ok := args.Get(param)
	if !ok {
		return nil, &flux.Error{Code: codes.Invalid, Msg: fmt.Sprintf("missing required keyword argument %q", param)}
	}
	s := ""
	if !v.IsNull() {
		s = v.Str()
	}
	out := f(s)
	if args.Len() > 1 {
		var unused []string
		args.Range(func(name string, _ values.Value) {
			if name != param {
				unused = append(unused, name)
			}
		})
		return nil, &flux.Error{Code: codes.Invalid, Msg: fmt.Sprintf("unused arguments %v", unused)}
	}
	if r, ok := levelValues[out]; ok {
		return r, nil
	}
	return values.NewString(out), nil
}

// levelValues are the Flux values of the level helpers' answers.
var levelValues = func() map[string]values.Value {
	m := make(map[string]values.Value)
	for _, s := range []string{event.Critical, event.Error, event.Warning, event.Info, event.Trigger, event.Acknowledge, event.Resolve} {
		m[s] = values.NewString(s)
	}
	return m
}()
