package harness

import (
	"context"
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	fluxhttp "github.com/influxdata/flux/dependencies/http"
	"github.com/influxdata/flux/dependencies/url"
	"github.com/influxdata/flux/parser"

	"github.com/fluxpd/fluxpd/fluxrun"
)

// maxResponseBytes caps what a script's HTTP calls read, as cmd/fluxpd does.
const maxResponseBytes = 100 << 20

// fluxDeps are the dependencies both runtimes run with: the HTTP client
// cmd/fluxpd gives scripts (Flux's default client, body-limited) and a URL
// validator that lets loopback through.
func fluxDeps() flux.Deps {
	return flux.Deps{Deps: flux.WrappedDeps{
		HTTPClient:   fluxhttp.LimitHTTPBody(*fluxhttp.NewDefaultClient(), maxResponseBytes),
		URLValidator: url.PassValidator{},
	}}
}

// Check and Prepare are the fluxrun.Runner hooks of the pagerduty package
// linked in: fluxpdbench sets fluxpd's (pagerduty.CheckScript and
// pagerduty.Prepare), upstream's package has none. The harness must not
// import fluxpd's stdlib itself: it registers the Flux package "pagerduty",
// as upstream's does, and upstreambench would panic at start.
var (
	Check   func(pkg *ast.Package) error
	Prepare func(ctx context.Context, pkg *ast.Package) (context.Context, error)
)

// prepareFlux parses src and returns a function that runs it and checks
// every result row with check. Parsing is left out of the timed part.
func prepareFlux(deps flux.Deps, src string, check *rowCheck) (func(context.Context) error, error) {
	pkg := parser.ParseSource(src)
	if ast.Check(pkg) > 0 {
		return nil, fmt.Errorf("the benchmark script does not parse: %w", ast.GetError(pkg))
	}
	r := &fluxrun.Runner{Check: Check, Prepare: Prepare, Deps: deps, Results: check}
	return func(ctx context.Context) error {
		if err := r.RunAST(ctx, pkg); err != nil {
			return err
		}
		return check.err()
	}, nil
}

// rowCheck is a fluxrun.ResultWriter that reads every result row and
// checks that its column says the event was accepted: an int column equal
// to 202 (sendEvent's status) or a string column equal to "true"
// (endpoint's _sent).
type rowCheck struct {
	column  string
	wantInt int64  // when the column is an int
	wantStr string // when the column is a string
	want    int    // rows expected

	rows, bad int
	firstBad  string
}

func sendEventCheck(n int) *rowCheck { return &rowCheck{column: "status", wantInt: 202, want: n} }
func endpointCheck(n int) *rowCheck  { return &rowCheck{column: "_sent", wantStr: "true", want: n} }

func (c *rowCheck) reset() { c.rows, c.bad, c.firstBad = 0, 0, "" }

// WriteResults implements fluxrun.ResultWriter.
func (c *rowCheck) WriteResults(results flux.ResultIterator) error {
	c.reset()
	for results.More() {
		err := results.Next().Tables().Do(func(tbl flux.Table) error {
			j := -1
			for i, col := range tbl.Cols() {
				if col.Label == c.column {
					j = i
				}
			}
			if j < 0 {
				return fmt.Errorf("result table %v has no column %q", tbl.Key(), c.column)
			}
			return tbl.Do(func(cr flux.ColReader) error {
				for i := 0; i < cr.Len(); i++ {
					c.rows++
					c.checkCell(cr, j, i)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	return results.Err()
}

func (c *rowCheck) checkCell(cr flux.ColReader, j, i int) {
	var got string
	ok := false
	switch cr.Cols()[j].Type {
	case flux.TInt:
		col := cr.Ints(j)
		ok = col.IsValid(i) && col.Value(i) == c.wantInt
		got = fmt.Sprint(col.Value(i))
	case flux.TString:
		col := cr.Strings(j)
		ok = col.IsValid(i) && col.ValueString(i) == c.wantStr
		got = col.ValueString(i)
	default:
		got = "a column of type " + cr.Cols()[j].Type.String()
	}
	if !ok {
		c.bad++
		if c.firstBad == "" {
			c.firstBad = got
		}
	}
}

// err reports rows missing or not accepted.
func (c *rowCheck) err() error {
	if c.rows != c.want || c.bad > 0 {
		return fmt.Errorf("result has %d rows, %d of them not accepted (first: %s=%q); want %d rows, all accepted", c.rows, c.bad, c.column, c.firstBad, c.want)
	}
	return nil
}
