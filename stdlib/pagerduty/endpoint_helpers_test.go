package pagerduty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/dependencies/url"
	"github.com/influxdata/flux/execute"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/fluxrun"
	"github.com/fluxpd/fluxpd/internal/testwait"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// testKey is a made-up 32-character routing key, the length the emulator
// insists on.
const testKey = "e2e0routing0key00000000000000000"

// fluxRow is one output row, every value as text ("<null>" for null).
type fluxRow map[string]string

// rowCollector is a fluxrun.ResultWriter keeping every row of every table.
type rowCollector struct {
	rows []fluxRow
}

// WriteResults implements fluxrun.ResultWriter.
func (c *rowCollector) WriteResults(it flux.ResultIterator) error {
	for it.More() {
		err := it.Next().Tables().Do(func(tbl flux.Table) error {
			return tbl.Do(func(cr flux.ColReader) error {
				for i := 0; i < cr.Len(); i++ {
					r := make(fluxRow, len(cr.Cols()))
					for j, col := range cr.Cols() {
						r[col.Label] = valueText(execute.ValueForRow(cr, i, j))
					}
					c.rows = append(c.rows, r)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	return it.Err()
}

func valueText(v values.Value) string {
	switch {
	case v.IsNull():
		return "<null>"
	case v.Type().Nature() == semantic.String:
		return v.Str()
	}
	return fmt.Sprint(v)
}

// fluxQuery runs src, with "pagerduty" and "csv" imported, and returns the
// rows of its results and what it printed. A nil validator allows every URL.
func fluxQuery(ctx context.Context, t *testing.T, validator url.Validator, src string) ([]fluxRow, string, error) {
	t.Helper()
	if validator == nil {
		validator = url.PassValidator{}
	}
	var out bytes.Buffer
	rows := &rowCollector{}
	r := fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript,
		Deps:    flux.Deps{Deps: flux.WrappedDeps{HTTPClient: &http.Client{}, URLValidator: validator}},
		Values:  &out,
		Results: rows,
	}
	err := r.Run(ctx, t.Name(), "import \"pagerduty\"\nimport \"csv\"\n\n"+src)
	return rows.rows, out.String(), err
}

// mustQuery runs src like fluxQuery, bounded by testwait.Limit against
// hangs, and fails the test if it fails.
func mustQuery(t *testing.T, src string) []fluxRow {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
	defer cancel()
	rows, _, err := fluxQuery(ctx, t, nil, src)
	if err != nil {
		t.Fatalf("the query failed: %v\nscript:\n%s", err, src)
	}
	return rows
}

// csvData builds annotated CSV of string columns; group lists the group
// key columns. Each row is one record; rows with equal group key values
// form one table.
func csvData(cols, group []string, rows ...[]string) string {
	var b strings.Builder
	b.WriteString("#datatype,string,long" + strings.Repeat(",string", len(cols)) + "\n")
	b.WriteString("#group,false,false")
	for _, c := range cols {
		fmt.Fprintf(&b, ",%t", slices.Contains(group, c))
	}
	b.WriteString("\n#default,_result,," + strings.Repeat(",", len(cols)-1) + "\n")
	b.WriteString(",result,table," + strings.Join(cols, ",") + "\n")
	tables := map[string]int{}
	for _, r := range rows {
		var key []string
		for i, c := range cols {
			if slices.Contains(group, c) {
				key = append(key, r[i])
			}
		}
		k := strings.Join(key, "\x00")
		if _, ok := tables[k]; !ok {
			tables[k] = len(tables)
		}
		fmt.Fprintf(&b, ",,%d,%s\n", tables[k], strings.Join(r, ","))
	}
	return b.String()
}

// inFlight wraps a handler and tracks how many requests it serves at once,
// overall and per dedup key. Made by newInFlight with holdFor above 1, it
// holds the first requests until that many are in flight at once, so that
// a test sees concurrency whenever the sender offers it, however the
// machine schedules the sending goroutines; a sender that never offers it
// fails the test after testwait.Limit.
type inFlight struct {
	next    http.Handler
	t       testing.TB
	holdFor int
	reached chan struct{} // closed once holdFor requests were in flight at once
	once    sync.Once
	mu      sync.Mutex
	now     int
	peak    int
	keys    map[string]int // requests in flight per dedup key
	// keyPeak is the most requests with one dedup key seen at once.
	keyPeak int
}

func newInFlight(t testing.TB, next http.Handler, holdFor int) *inFlight {
	return &inFlight{next: next, t: t, holdFor: holdFor, reached: make(chan struct{})}
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var ev struct {
		DedupKey string `json:"dedup_key"`
	}
	_ = json.Unmarshal(body, &ev)
	key := ev.DedupKey
	f.enter(key)
	defer f.leave(key)
	f.hold(r)
	f.next.ServeHTTP(w, r)
}

// hold waits until holdFor requests have been in flight at once, the
// client gives up, or testwait.Limit passes (a failure of the test).
func (f *inFlight) hold(r *http.Request) {
	if f.holdFor < 2 {
		return
	}
	timer := time.NewTimer(testwait.Limit())
	defer timer.Stop()
	select {
	case <-f.reached:
	case <-r.Context().Done():
	case <-timer.C:
		all, perKey := f.peaks()
		f.t.Errorf("gave up after %v waiting for %d requests in flight at once; at most %d were (%d per dedup key)", testwait.Limit(), f.holdFor, all, perKey)
		f.once.Do(func() { close(f.reached) })
	}
}

func (f *inFlight) enter(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now++
	f.peak = max(f.peak, f.now)
	if f.keys == nil {
		f.keys = map[string]int{}
	}
	f.keys[key]++
	f.keyPeak = max(f.keyPeak, f.keys[key])
	if f.holdFor > 1 && f.peak >= f.holdFor {
		f.once.Do(func() { close(f.reached) })
	}
}

func (f *inFlight) leave(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now--
	f.keys[key]--
}

// peaks returns the most requests seen at once, overall and per key.
func (f *inFlight) peaks() (all, perKey int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak, f.keyPeak
}
