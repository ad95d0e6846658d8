// Package fluxrun runs Flux scripts the way the fluxpd command does: it
// evaluates the script, prints the value of each top-level expression, and
// executes the tables the script produces, writing every result.
package fluxrun

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/lang"
	"github.com/influxdata/flux/memory"
	"github.com/influxdata/flux/parser"
	"github.com/influxdata/flux/repl"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"
)

// Runner runs Flux scripts. The zero value is not usable: Deps is required.
type Runner struct {
	// Deps are the Flux dependencies (HTTP client, URL validator, secrets…)
	// made available to the script.
	Deps flux.Dependencies
	// Now, when set, pins the script's now() option.
	Now time.Time
	// Values receives the value of each top-level expression that is not a
	// stream of tables, one per line. Nil discards them.
	Values io.Writer
	// Results receives the tables of each result. Nil discards them.
	Results ResultWriter
	// Check, when not nil, looks for mistakes in the parsed script before
	// it is evaluated, such as a misspelled parameter of a package's
	// function, and returns them in one error that says where they are
	// and how to fix them: fluxpd's hosts set pagerduty.CheckScript. It
	// also sees a script that fails to parse only because a pipe's
	// destination is not a call (data |> f), with the call added, so that
	// its message can say what to write instead.
	Check func(pkg *ast.Package) error
	// Prepare, when not nil, prepares the context of the query from its
	// script before the script is evaluated, as lang.PrepareContext does
	// in fluxpd's InfluxDB builds; the context it returns is used for
	// evaluation and execution. fluxpd's hosts set pagerduty.Prepare(host).
	Prepare func(ctx context.Context, pkg *ast.Package) (context.Context, error)
}

// ResultWriter writes the results of a query.
type ResultWriter interface {
	WriteResults(results flux.ResultIterator) error
}

// Run parses, evaluates and executes src. name labels the script in errors.
func (r *Runner) Run(ctx context.Context, name, src string) error {
	pkg := parser.ParseSource(src)
	if err := diagnose(name, pkg, r.Check); err != nil {
		return err
	}
	return explainNoStorage(r.runAST(ctx, pkg))
}

// RunAST evaluates and executes a parsed Flux package.
//
// Before it runs, the script's parse errors, assignments without a value
// and the mistakes r.Check finds are reported with their
// line and column, one per line (Run prefixes each with the script's
// name). A Runner has no storage: a script that reads it with from() fails
// with an error that says so and names the alternatives.
func (r *Runner) RunAST(ctx context.Context, pkg *ast.Package) error {
	if err := diagnose("", pkg, r.Check); err != nil {
		return err
	}
	return explainNoStorage(r.runAST(ctx, pkg))
}

func (r *Runner) runAST(ctx context.Context, pkg *ast.Package) error {
	alloc := &memory.Allocator{}
	ctx = r.Deps.Inject(ctx)
	// tableFind and friends execute queries while the script is evaluated;
	// they find their allocator here.
	ctx = lang.ExecutionDependencies{Allocator: alloc}.Inject(ctx)

	if r.Prepare != nil {
		var err error
		if ctx, err = r.Prepare(ctx, pkg); err != nil {
			return err
		}
	}
	var opts []flux.ScopeMutator
	if !r.Now.IsZero() {
		opts = append(opts, flux.SetNowOption(r.Now))
	}
	sideEffects, scope, err := flux.EvalAST(ctx, pkg, opts...)
	if err != nil {
		return err
	}
	var tables []*flux.TableObject
	for _, se := range sideEffects {
		if t, ok := se.Value.(*flux.TableObject); ok {
			tables = append(tables, t)
			continue
		}
		if _, ok := se.Node.(*semantic.ExpressionStatement); ok && r.Values != nil {
			fmt.Fprintln(r.Values, se.Value)
		}
	}
	if len(tables) == 0 {
		return nil
	}
	now, err := nowOption(ctx, scope)
	if err != nil {
		return err
	}
	return r.execute(ctx, specFromTables(tables, now), alloc)
}

// nowOption evaluates the script's now option.
func nowOption(ctx context.Context, scope values.Scope) (time.Time, error) {
	now, ok := scope.Lookup(flux.NowOption)
	if !ok {
		return time.Time{}, fmt.Errorf("%q option not set", flux.NowOption)
	}
	v, err := now.Function().Call(ctx, nil)
	if err != nil {
		return time.Time{}, err
	}
	return v.Time().Time(), nil
}

// execute plans and runs spec and writes its results.
func (r *Runner) execute(ctx context.Context, spec *flux.Spec, alloc *memory.Allocator) error {
	// repl.Compiler plans a ready spec; the planner's own API changed
	// between Flux v0.65 and v0.67, this entry point did not.
	prog, err := repl.Compiler{Spec: spec}.Compile(ctx)
	if err != nil {
		return err
	}
	q, err := prog.Start(ctx, alloc)
	if err != nil {
		return err
	}
	results := flux.NewResultIteratorFromQuery(q)
	defer results.Release()
	if r.Results == nil {
		return drain(results)
	}
	if err := r.Results.WriteResults(results); err != nil {
		return err
	}
	return results.Err()
}

// drain reads every table so the query runs to the end.
func drain(results flux.ResultIterator) error {
	for results.More() {
		err := results.Next().Tables().Do(func(t flux.Table) error {
			return t.Do(func(flux.ColReader) error { return nil })
		})
		if err != nil {
			return err
		}
	}
	return results.Err()
}
