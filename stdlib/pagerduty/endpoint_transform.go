package pagerduty

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/compiler"
	"github.com/influxdata/flux/execute"
	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/plan"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/dispatch"
)

// Columns endpoint() adds to every row.
const (
	sentColumn   = "_sent"   // "true" when PagerDuty answered 2xx
	statusColumn = "_status" // the HTTP status, "0" when no answer came
	bodyColumn   = "_body"   // PagerDuty's answer, or why the row was not sent
)

var endpointColumns = []string{DedupKeyColumn, sentColumn, statusColumn, bodyColumn}

// endpointTransformation evaluates mapFn for every row as it arrives and
// sends the events once the input has ended: only then is it known which
// events an alert has, and in which order they happened. Storage returns
// statuses one table per _level, so table order is not time order.
type endpointTransformation struct {
	d           execute.Dataset
	cache       execute.TableBuilderCache
	ctx         context.Context
	mapFn       interpreter.ResolvedFunction
	fns         map[string]*execute.RowMapFn // mapFn compiled, per table schema
	fn          *execute.RowMapFn            // the one for the current table
	settings    settings
	url         string
	sender      *delivery.Sender
	concurrency int
	rows        []*pendingRow // every input row, in input order
}

func createEndpointTransformation(id execute.DatasetID, mode execute.AccumulationMode, spec plan.ProcedureSpec, a execute.Administration) (execute.Transformation, execute.Dataset, error) {
	s, ok := spec.(*endpointProcedureSpec)
	if !ok {
		return nil, nil, &flux.Error{Code: codes.Internal, Msg: fmt.Sprintf("invalid spec type %T", spec)}
	}
	set, err := settingsFrom(a.Context())
	if err != nil {
		return nil, nil, err
	}
	rawURL := s.URL
	param := argEndpointURL
	if rawURL == "" {
		rawURL, param = set.url, "option pagerduty."+optURL
	}
	if err := delivery.CheckURL(param, rawURL, DefaultURL); err != nil {
		return nil, nil, invalid(err)
	}
	sender, err := newSender(a.Context(), set)
	if err != nil {
		return nil, nil, err
	}
	if err := refusedURL(sender, rawURL); err != nil {
		return nil, nil, err
	}
	cache := execute.NewTableBuilderCache(a.Allocator())
	t := &endpointTransformation{
		d: execute.NewDataset(id, mode, cache), cache: cache, ctx: a.Context(),
		mapFn: s.Fn, fns: make(map[string]*execute.RowMapFn),
		settings: set, url: rawURL, sender: sender, concurrency: s.Concurrency,
	}
	return t, t.d, nil
}

// refusedURL applies the embedder's URL validator once up front, so that a
// refused URL fails the query instead of every row.
func refusedURL(s *delivery.Sender, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || s.Validate == nil {
		return nil // delivery.CheckURL has vetted the form; the sender reports the rest
	}
	if err := s.Validate(u); err != nil {
		return &flux.Error{
			Code: codes.Invalid,
			Msg:  fmt.Sprintf("url %s is not allowed by this installation: %s", shownURL(raw), strings.ReplaceAll(err.Error(), raw, shownURL(raw))),
		}
	}
	return nil
}

// Process evaluates mapFn for every row of tbl and keeps the events.
func (t *endpointTransformation) Process(_ execute.DatasetID, tbl flux.Table) error {
	if err := t.prepareMapFn(tbl.Cols()); err != nil {
		return err
	}
	b, created := t.cache.TableBuilder(tbl.Key())
	out, err := newOutTable(b, created, tbl, "endpoint", endpointColumns)
	if err != nil {
		return err
	}
	cols := newRowColumns(tbl.Cols())
	return tbl.Do(func(cr flux.ColReader) error {
		if err := out.appendInput(cr); err != nil {
			return err
		}
		for i := 0; i < cr.Len(); i++ {
			if err := t.ctx.Err(); err != nil {
				return err // canceled: stop evaluating mapFn at once
			}
			t.rows = append(t.rows, t.prepare(out, cr, i, cols))
		}
		return nil
	})
}

// prepareMapFn compiles mapFn for the columns of a table, once per schema.
func (t *endpointTransformation) prepareMapFn(cols []flux.ColMeta) error {
	var key strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&key, "%s\x00%d\x00", c.Label, c.Type)
	}
	if fn, ok := t.fns[key.String()]; ok {
		t.fn = fn
		return nil
	}
	fn, err := execute.NewRowMapFn(t.mapFn.Fn, compiler.ToScope(t.mapFn.Scope))
	if err != nil {
		return err
	}
	if err := fn.Prepare(cols); err != nil {
		return err
	}
	t.fns[key.String()], t.fn = fn, fn
	return nil
}

// sendAll sends every prepared event, the events of each alert in time
// order and alerts concurrently, and writes every row's outcome.
func (t *endpointTransformation) sendAll() error {
	sendCtx, stop := context.WithCancel(t.ctx)
	defer stop()
	g := dispatch.NewGroup(sendCtx, t.concurrency)
	for _, p := range inAlertOrder(t.rows) {
		g.Go(p.msg.DedupKey, func(ctx context.Context) { p.send(ctx, t) })
	}
	if err := g.Wait(); err != nil {
		return &flux.Error{Code: codes.Canceled, Msg: "endpoint stopped sending events", Err: err}
	}
	for _, p := range t.rows {
		if err := p.appendResult(); err != nil {
			return err
		}
	}
	return nil
}

func (t *endpointTransformation) RetractTable(_ execute.DatasetID, key flux.GroupKey) error {
	return t.d.RetractTable(key)
}

// UpdateWatermark and UpdateProcessingTime are not passed on: tables are
// complete only after the sends, at Finish.
func (t *endpointTransformation) UpdateWatermark(execute.DatasetID, execute.Time) error {
	return nil
}

func (t *endpointTransformation) UpdateProcessingTime(execute.DatasetID, execute.Time) error {
	return nil
}

func (t *endpointTransformation) Finish(_ execute.DatasetID, err error) {
	if err == nil {
		err = t.sendAll()
	}
	t.rows = nil
	t.d.Finish(err)
}
