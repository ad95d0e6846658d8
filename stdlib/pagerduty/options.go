package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// The package's default URLs. pagerduty.flux declares the same values as
// its options; TestOptions_MatchFlux keeps the two in step.
const (
	DefaultURL       = delivery.DefaultURL
	DefaultChangeURL = delivery.DefaultChangeURL
)

// Names of the package options, as scripts write them after "pagerduty.".
const (
	optURL            = "defaultURL"
	optChangeURL      = "defaultChangeURL"
	optMaxRetries     = "maxRetries"
	optAttemptTimeout = "attemptTimeout"
	optDeadline       = "deadline"
)

var optionNames = []string{optURL, optChangeURL, optMaxRetries, optAttemptTimeout, optDeadline}

// maxRetriesLimit bounds option maxRetries.
const maxRetriesLimit = 100

// settings are what one call uses: the package defaults, then the host's
// defaults, then the script's options.
type settings struct {
	url, changeURL string
	policy         delivery.Policy
	host           Host
}

// scriptOptions are the options one script sets, already checked.
type scriptOptions struct {
	url, changeURL string // "" when not set
	maxRetries     *int
	attemptTimeout *values.Duration
	deadline       *values.Duration
}

type scriptKey struct{}

// errNoScript is returned when a pagerduty function runs in a query whose
// host did not call WithScript: the script's options are unknown, and
// guessing the defaults could page the wrong PagerDuty region.
var errNoScript = &flux.Error{
	Code: codes.FailedPrecondition,
	Msg: "this Flux host did not load the script's pagerduty options, so the functions cannot tell where to send; " +
		"hosts prepare every query with pagerduty.Prepare(host) before running its script (fluxpd run, fluxpd's InfluxDB builds and the tests do)",
}

// WithScript reads the pagerduty options the script's AST sets and returns a
// context that carries them to every pagerduty call of that query, wherever
// the call is made: at the top level, inside map(), in functions called from
// map(), in endpoint(). Flux v0.65 applies a script's options to a package
// function only when the interpreter itself calls it, so a call made by
// compiled map() code would otherwise see the package defaults.
//
// Hosts call it once per query, before evaluating the script, with the
// context used for both evaluation and execution. The options' values are
// computed by evaluating the script's option statements and the variable
// assignments they refer to (nothing else runs); an option that cannot be
// computed that way, a misspelled option or a value of the wrong type is an
// error, never a silent fall-back to the default.
func WithScript(ctx context.Context, pkg *ast.Package) (context.Context, error) {
	opts, err := readScriptOptions(ctx, pkg)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, scriptKey{}, opts), nil
}

// settingsFrom resolves the settings of one call from the context.
func settingsFrom(ctx context.Context) (settings, error) {
	opts, ok := ctx.Value(scriptKey{}).(*scriptOptions)
	if !ok {
		return settings{}, errNoScript
	}
	s := settings{url: DefaultURL, changeURL: DefaultChangeURL, policy: delivery.DefaultPolicy()}
	if h, ok := ctx.Value(hostKey{}).(Host); ok {
		s.url = cmpOr(h.URL, s.url)
		s.changeURL = cmpOr(h.ChangeURL, s.changeURL)
		s.host = h
	}
	s.url = cmpOr(opts.url, s.url)
	s.changeURL = cmpOr(opts.changeURL, s.changeURL)
	if opts.maxRetries != nil {
		s.policy.MaxRetries = *opts.maxRetries
	}
	if opts.attemptTimeout != nil {
		s.policy.AttemptTimeout = opts.attemptTimeout.Duration()
	}
	if opts.deadline != nil {
		s.policy.Deadline = opts.deadline.Duration()
	}
	return s, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// readScriptOptions finds the script's `option pagerduty.X = ...`
// statements and evaluates them.
func readScriptOptions(ctx context.Context, pkg *ast.Package) (*scriptOptions, error) {
	names := importNames(pkg)
	set := setOptions(pkg, names)
	if len(set) == 0 {
		return &scriptOptions{}, nil
	}
	for _, name := range set {
		if !slices.Contains(optionNames, name) {
			return nil, optionError(fmt.Errorf("pagerduty has no option %q; its options are %s", name, strings.Join(optionNames, ", ")))
		}
	}
	_, scope, err := flux.EvalAST(ctx, optionsOnly(pkg))
	if err != nil {
		return nil, optionError(fmt.Errorf("cannot compute the pagerduty options before the script runs: %w "+
			"(hint: compute option pagerduty.* from literals, other options, variables or secrets.get, not from query results)", err))
	}
	var pv values.Value
	for name := range names {
		if v, ok := scope.Lookup(name); ok {
			pv = v
		}
	}
	p, ok := pv.(values.Package)
	if !ok {
		return nil, optionError(errors.New("the pagerduty package is not in the script's scope"))
	}
	opts := &scriptOptions{}
	var errs []error
	for _, name := range set {
		v, _ := p.Get(name)
		errs = append(errs, opts.set(name, v))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, optionError(err)
	}
	return opts, nil
}

func optionError(err error) error {
	return &flux.Error{Code: codes.Invalid, Msg: strings.ReplaceAll(err.Error(), "\n", "; ")}
}

// set checks and records one option's value.
func (o *scriptOptions) set(name string, v values.Value) error {
	if v == nil {
		return fmt.Errorf("option pagerduty.%s has no value", name)
	}
	n := natureOf(v)
	switch name {
	case optURL, optChangeURL:
		if n != semantic.String {
			return fmt.Errorf("option pagerduty.%s must be a string; got %s", name, describe(v))
		}
		example := DefaultURL
		if name == optChangeURL {
			example = DefaultChangeURL
		}
		if err := delivery.CheckURL("option pagerduty."+name, v.Str(), example); err != nil {
			return err
		}
		if name == optURL {
			o.url = v.Str()
		} else {
			o.changeURL = v.Str()
		}
	case optMaxRetries:
		if n != semantic.Int || v.Int() < 0 || v.Int() > maxRetriesLimit {
			return fmt.Errorf("option pagerduty.maxRetries must be an int between 0 and %d; got %s", maxRetriesLimit, describe(v))
		}
		r := int(v.Int())
		o.maxRetries = &r
	case optAttemptTimeout, optDeadline:
		if n != semantic.Duration || v.Duration().Duration() <= 0 {
			return fmt.Errorf("option pagerduty.%s must be a positive duration such as 10s; got %s", name, describe(v))
		}
		d := v.Duration()
		if name == optDeadline {
			o.deadline = &d
		} else {
			o.attemptTimeout = &d
		}
	}
	return nil
}
