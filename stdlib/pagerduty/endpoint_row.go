package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/execute"

	"github.com/fluxpd/fluxpd/internal/event"
)

// pendingRow is one input row of endpoint(): its event, and once sent, the
// outcome to write into its added columns.
type pendingRow struct {
	out    *outTable
	msg    message   // the event; msg.body is nil when the row failed before sending
	at     time.Time // when the event happened (_time, or its timestamp); zero if unknown
	index  int       // position in the input, which breaks ties in time
	result rowResult
}

type rowResult struct {
	sent   bool   // PagerDuty answered 2xx
	status int    // HTTP status, 0 when no answer came
	body   string // PagerDuty's answer, or why the row was not sent
}

// rowColumns are the positions of the columns endpoint() reads itself, -1
// when a table lacks them.
type rowColumns struct{ dedupKey, time int }

func newRowColumns(cols []flux.ColMeta) rowColumns {
	c := rowColumns{dedupKey: execute.ColIdx(DedupKeyColumn, cols), time: execute.ColIdx(execute.DefaultTimeColLabel, cols)}
	if c.dedupKey >= 0 && cols[c.dedupKey].Type != flux.TString {
		c.dedupKey = -1
	}
	if c.time >= 0 && cols[c.time].Type != flux.TTime {
		c.time = -1
	}
	return c
}

// prepare evaluates mapFn for row i and encodes its event.
func (t *endpointTransformation) prepare(out *outTable, cr flux.ColReader, i int, cols rowColumns) *pendingRow {
	p := &pendingRow{out: out, index: len(t.rows), msg: message{Function: "endpoint", URL: t.url}}
	if cols.dedupKey >= 0 {
		if col := cr.Strings(cols.dedupKey); col.IsValid(i) {
			p.msg.DedupKey = col.ValueString(i)
		}
	}
	if cols.time >= 0 {
		if col := cr.Times(cols.time); col.IsValid(i) {
			p.at = time.Unix(0, col.Value(i))
		}
	}
	obj, err := t.fn.Eval(t.ctx, i, cr)
	if err != nil {
		p.refuse(t, fmt.Errorf("mapFn failed on this row: %w", err))
		return p
	}
	in, err := readEvent(obj.Get)
	p.msg.RoutingKey = in.RoutingKey
	if in.DedupKey == "" {
		in.DedupKey = p.msg.DedupKey
	} else {
		p.msg.DedupKey = in.DedupKey
	}
	if err != nil {
		p.refuse(t, err)
		return p
	}
	if p.at.IsZero() && in.Timestamp.IsTime {
		p.at = in.Timestamp.Time
	}
	ev, notice, err := event.Build(in)
	if err != nil {
		p.refuse(t, err)
		return p
	}
	p.msg.Action, p.msg.Summary = eventGist(ev)
	if p.msg.Body, err = event.Encode(ev); err != nil {
		p.refuse(t, err)
		return p
	}
	t.settings.host.Notify(p.msg, notice.Messages())
	return p
}

// inAlertOrder returns the rows to send in the order to hand them to the
// dispatcher: the events of each dedup key sorted by time (ties and
// unknown times keep input order), keys interleaved as in the input.
func inAlertOrder(rows []*pendingRow) []*pendingRow {
	byKey := make(map[string][]*pendingRow)
	for _, p := range rows {
		if p.msg.Body != nil {
			byKey[p.msg.DedupKey] = append(byKey[p.msg.DedupKey], p)
		}
	}
	for _, group := range byKey {
		if slices.ContainsFunc(group, func(p *pendingRow) bool { return p.at.IsZero() }) {
			continue // without every time, input order is the best guess
		}
		slices.SortStableFunc(group, func(a, b *pendingRow) int { return a.at.Compare(b.at) })
	}
	order := make([]*pendingRow, 0, len(rows))
	next := make(map[string]int, len(byKey))
	for _, p := range rows {
		if p.msg.Body == nil {
			continue
		}
		k := p.msg.DedupKey
		order = append(order, byKey[k][next[k]])
		next[k]++
	}
	return order
}

// send delivers the row's event and records the outcome.
func (p *pendingRow) send(ctx context.Context, t *endpointTransformation) {
	o := t.settings.host.Send(ctx, t.sender, p.msg)
	p.msg.Body = nil
	switch {
	case o.Queued != "":
		p.result = rowResult{status: o.Status, body: o.Queued} // the outbox masks what it says
	case o.Status != 0:
		body := ""
		if o.Response != nil {
			body = o.Response.Body
		}
		p.result = rowResult{
			sent:   o.Accepted(),
			status: o.Status,
			body:   answerOrError(body, o.Err), // delivery masks what it returns
		}
		if p.msg.DedupKey == "" && o.Response != nil {
			p.msg.DedupKey = o.Response.DedupKey
		}
	case o.Err != nil:
		p.fail(o.Err)
	default:
		p.fail(errors.New("no answer and no error from the PagerDuty sender"))
	}
}

// answerOrError is the answer's body, or the error when the body is empty
// (a redirect, an answer with no body).
func answerOrError(body string, err error) string {
	if body = strings.TrimSpace(body); body != "" || err == nil {
		return body
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// refuse records why the row's event was not sent and reports it.
func (p *pendingRow) refuse(t *endpointTransformation, err error) {
	p.fail(err)
	t.settings.host.Refused(p.msg, err)
}

func (p *pendingRow) fail(err error) {
	p.result = rowResult{body: oneLine(err, p.msg.RoutingKey)}
}

func (p *pendingRow) appendResult() error {
	r := p.result
	return p.out.appendAdded(p.msg.DedupKey, strconv.FormatBool(r.sent), strconv.Itoa(r.status), r.body)
}
