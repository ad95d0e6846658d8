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
	"github.com/fluxpd/fluxpd/internal/redact"
)

// Columns endpoint adds to every row, all strings, in this order, after
// DedupKeyColumn. _sent is upstream's; _status and _body tell what
// happened.
const (
	sentColumn   = "_sent"   // "true" when PagerDuty answered 2xx
	statusColumn = "_status" // the HTTP status, "0" when no answer came
	bodyColumn   = "_body"   // PagerDuty's answer, or why the row was not sent
)

// endpointColumns are the columns endpoint sets on every row.
var endpointColumns = []string{DedupKeyColumn, sentColumn, statusColumn, bodyColumn}

// endpointWindow is how many rows endpoint prepares before sending them.
// The rows of a window are sent concurrently and their results written
// before the next window starts, so the memory for request bodies and
// results stays bounded by the window whatever the size of the stream or
// of a chunk (a chunk from an upstream transformation may be a whole
// table). A window spans chunks and tables: when every table holds one
// series, as after a monitoring check, the events of many series are still
// sent at once.
const endpointWindow = 1000

// endpointTransformation sends one event per row and adds the outcome to it.
//
// Rows are prepared in order on the calling goroutine: mapFn is evaluated
// (compiled Flux functions are not safe for concurrent use), and the event
// is read, validated and encoded. Each event is then handed to a
// dispatch.Group, which sends it while the next rows are prepared, at most
// concurrency at once and in input order per dedup key. Once
// endpointWindow rows are pending, or before anything downstream can read a
// table (watermark, processing time, finish), the window is flushed: the
// Group is waited for, then every row's result columns are appended in
// input order.
type endpointTransformation struct {
	d       execute.Dataset
	cache   execute.TableBuilderCache
	ctx     context.Context
	mapFn   interpreter.ResolvedFunction
	fns     map[string]*execute.RowMapFn // mapFn compiled, per table schema
	fn      *execute.RowMapFn            // the one for the current table
	url     string
	sender  *delivery.Sender
	group   *dispatch.Group    // sends the pending events
	stop    context.CancelFunc // cancels the group's sends
	window  int
	pending []pendingRow // capacity window, never reallocated: sends write into it
}

func createEndpointTransformation(id execute.DatasetID, mode execute.AccumulationMode, spec plan.ProcedureSpec, a execute.Administration) (execute.Transformation, execute.Dataset, error) {
	s, ok := spec.(*endpointProcedureSpec)
	if !ok {
		return nil, nil, &flux.Error{Code: codes.Internal, Msg: fmt.Sprintf("invalid spec type %T", spec)}
	}
	sender, err := newSender(a.Context(), s.Policy)
	if err != nil {
		return nil, nil, err
	}
	if err := refusedURL(sender, s.URL); err != nil {
		return nil, nil, err
	}
	cache := execute.NewTableBuilderCache(a.Allocator())
	d := execute.NewDataset(id, mode, cache)
	sendCtx, stop := context.WithCancel(a.Context())
	t := &endpointTransformation{
		d: d, cache: cache, ctx: a.Context(), mapFn: s.Fn, fns: make(map[string]*execute.RowMapFn),
		url: s.URL, sender: sender, group: dispatch.NewGroup(sendCtx, s.Concurrency), stop: stop,
		window: endpointWindow, pending: make([]pendingRow, 0, endpointWindow),
	}
	return t, d, nil
}

// refusedURL asks the embedder's URL validator about the URL once before
// any row is read: a refused URL is a setting to fix, not a row to report.
// The sender asks again before every request.
func refusedURL(s *delivery.Sender, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || s.Validate == nil {
		return nil // checkURL has vetted the form; the sender reports the rest
	}
	if err := s.Validate(u); err != nil {
		return &flux.Error{
			Code: codes.Invalid,
			Msg:  fmt.Sprintf("url %s is not allowed by this installation: %s", redact.URL(raw), strings.ReplaceAll(err.Error(), raw, redact.URL(raw))),
		}
	}
	return nil
}

// Process prepares every row of tbl and flushes whenever the window is
// full. A chunk's input columns are appended first; its result columns
// follow, flush by flush.
func (t *endpointTransformation) Process(_ execute.DatasetID, tbl flux.Table) error {
	if err := t.prepareMapFn(tbl.Cols()); err != nil {
		return err
	}
	b, created := t.cache.TableBuilder(tbl.Key())
	out, err := newOutTable(b, created, tbl, "endpoint", endpointColumns)
	if err != nil {
		return err
	}
	dedupCol := execute.ColIdx(DedupKeyColumn, tbl.Cols())
	if dedupCol >= 0 && tbl.Cols()[dedupCol].Type != flux.TString {
		dedupCol = -1
	}
	return tbl.Do(func(cr flux.ColReader) error {
		if err := out.appendInput(cr); err != nil {
			return err
		}
		for i := 0; i < cr.Len(); i++ {
			if err := t.ctx.Err(); err != nil {
				return err // canceled: stop evaluating mapFn at once
			}
			t.pending = append(t.pending, t.prepare(out, cr, i, dedupCol))
			if p := &t.pending[len(t.pending)-1]; p.body != nil {
				t.group.Go(p.dedupKey, func(ctx context.Context) { p.send(ctx, t.sender, t.url) })
			}
			if len(t.pending) < t.window {
				continue
			}
			if err := t.flush(); err != nil {
				return err
			}
		}
		return nil
	})
}

// prepareMapFn makes t.fn mapFn compiled for rows with columns cols.
// Compilations are kept per schema: Flux v0.65.1's own compilation cache
// misses on every table (it is keyed by type values that are built anew),
// and compiling is most of the cost of a table of one row, the usual shape
// after a monitoring check.
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

// flush waits for the pending events to be sent and appends every pending
// row's result columns, in input order.
func (t *endpointTransformation) flush() error {
	if len(t.pending) == 0 {
		return nil
	}
	if err := t.group.Wait(); err != nil {
		return &flux.Error{Code: codes.Canceled, Msg: "endpoint stopped sending events", Err: err}
	}
	for i := range t.pending {
		if err := t.pending[i].appendResult(); err != nil {
			return err
		}
	}
	clear(t.pending) // drop the bodies and tables for the collector
	t.pending = t.pending[:0]
	return nil
}

// RetractTable implements execute.Transformation.
func (t *endpointTransformation) RetractTable(_ execute.DatasetID, key flux.GroupKey) error {
	if err := t.flush(); err != nil {
		return err
	}
	return t.d.RetractTable(key)
}

// UpdateWatermark flushes, so that a table triggered by the watermark is
// complete, then passes the watermark on.
func (t *endpointTransformation) UpdateWatermark(_ execute.DatasetID, mark execute.Time) error {
	if err := t.flush(); err != nil {
		return err
	}
	return t.d.UpdateWatermark(mark)
}

// UpdateProcessingTime flushes, like UpdateWatermark.
func (t *endpointTransformation) UpdateProcessingTime(_ execute.DatasetID, pt execute.Time) error {
	if err := t.flush(); err != nil {
		return err
	}
	return t.d.UpdateProcessingTime(pt)
}

// Finish waits for what is pending. When the query is failing already,
// sends still under way are canceled rather than waited for.
func (t *endpointTransformation) Finish(_ execute.DatasetID, err error) {
	if err == nil {
		err = t.flush()
	}
	t.stop()
	_ = t.group.Wait()
	t.pending = nil
	t.d.Finish(err)
}
