package pagerduty

import (
	"fmt"
	"github.com/fluxpd/fluxpd/internal/delivery"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/plan"
	"github.com/influxdata/flux/semantic"
)

// EndpointKind names the _endpoint operation, procedure and transformation,
// distinct from every upstream kind.
const EndpointKind = "pagerdutyEndpoint"

// Argument names of _endpoint. They match the parameters of endpoint and its
// mapFn in pagerduty.flux.
const (
	argEndpointURL = "url"
	argMapFn       = "mapFn"
	argConcurrency = "concurrency"
)

// DefaultConcurrency is how many events endpoint sends at once unless told
// otherwise. PagerDuty limits events per routing key per minute (about 120),
// not connections, so more requests in flight would not send more events
// per minute; a few hide the round-trip time, which is what matters for a
// burst of alerts. See
// https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#api-limits.
// Keep in step with endpoint's default in pagerduty.flux.
const DefaultConcurrency = 16

// maxConcurrency bounds the concurrency parameter: beyond it, a script is
// more likely to be rate limited than served faster.
const maxConcurrency = 64

// endpointFunc is pagerduty._endpoint.
var endpointFunc = flux.FunctionValueWithSideEffect(EndpointKind, createEndpointOpSpec, flux.FunctionSignature(
	endpointParams(),
	[]string{argEndpointURL, argMapFn},
))

func endpointParams() map[string]semantic.PolyType {
	p := map[string]semantic.PolyType{
		argEndpointURL: semantic.String,
		argMapFn: semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
			Parameters: map[string]semantic.PolyType{"r": semantic.Tvar(1)},
			Required:   semantic.LabelSet{"r"},
			Return:     semantic.Tvar(2),
		}),
		argConcurrency: semantic.Int,
	}
	return p
}

// endpointOpSpec is the operation of one _endpoint call.
type endpointOpSpec struct {
	URL         string                       `json:"url"`
	Fn          interpreter.ResolvedFunction `json:"mapFn"`
	Concurrency int                          `json:"concurrency"`
}

// Kind implements flux.OperationSpec.
func (s *endpointOpSpec) Kind() flux.OperationKind { return EndpointKind }

// createEndpointOpSpec reads and checks the arguments of _endpoint, so that
// a mistake fails the script before any row is read.
func createEndpointOpSpec(args flux.Arguments, a *flux.Administration) (flux.OperationSpec, error) {
	if err := a.AddParentFromArgs(args); err != nil {
		return nil, err
	}
	spec := &endpointOpSpec{Concurrency: DefaultConcurrency}
	var err error
	if spec.URL, err = args.GetRequiredString(argEndpointURL); err != nil {
		return nil, err
	}
	if spec.URL != "" {
		if err := delivery.CheckURL(argEndpointURL, spec.URL, DefaultURL); err != nil {
			return nil, invalid(err)
		}
	}
	fn, err := args.GetRequiredFunction(argMapFn)
	if err != nil {
		return nil, err
	}
	if spec.Fn, err = interpreter.ResolveFunction(fn); err != nil {
		return nil, err
	}
	if n, ok, err := args.GetInt(argConcurrency); err != nil {
		return nil, err
	} else if ok {
		if n < 1 || n > maxConcurrency {
			return nil, invalid(fmt.Errorf("concurrency must be between 1 and %d; got %d (hint: 1 sends one event at a time, as upstream does)", maxConcurrency, n))
		}
		spec.Concurrency = int(n)
	}
	return spec, nil
}

// endpointProcedureSpec is the planned _endpoint.
type endpointProcedureSpec struct {
	plan.DefaultCost
	URL         string
	Fn          interpreter.ResolvedFunction
	Concurrency int
}

func newEndpointProcedure(qs flux.OperationSpec, _ plan.Administration) (plan.ProcedureSpec, error) {
	s, ok := qs.(*endpointOpSpec)
	if !ok {
		return nil, &flux.Error{Code: codes.Internal, Msg: fmt.Sprintf("invalid spec type %T", qs)}
	}
	return &endpointProcedureSpec{URL: s.URL, Fn: s.Fn, Concurrency: s.Concurrency}, nil
}

// Kind implements plan.ProcedureSpec.
func (s *endpointProcedureSpec) Kind() plan.ProcedureKind { return EndpointKind }

// Copy implements plan.ProcedureSpec.
func (s *endpointProcedureSpec) Copy() plan.ProcedureSpec {
	ns := *s
	ns.Fn = s.Fn.Copy()
	return &ns
}
