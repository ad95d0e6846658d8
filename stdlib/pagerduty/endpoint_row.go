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
	p := &pendingRow{out: out, index: len(t.rows), msg: message{function: "endpoint", url: t.url}}
	if cols.dedupKey >= 0 {
		if col := cr.Strings(cols.dedupKey); col.IsValid(i) {
			p.msg.dedupKey = col.ValueString(i)
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
	p.msg.routingKey = in.RoutingKey
	if in.DedupKey == "" {
		in.DedupKey = p.msg.dedupKey
	} else {
		p.msg.dedupKey = in.DedupKey
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
	p.msg.action, p.msg.summary = eventGist(ev)
	if p.msg.body, err = event.Encode(ev); err != nil {
		p.refuse(t, err)
		return p
	}
	t.settings.notify(p.msg, notice)
	return p
}

// inAlertOrder returns the rows to send in the order to hand them to the
// dispatcher: the events of each dedup key sorted by time (ties and
// unknown times keep input order), keys interleaved as in the input.
func inAlertOrder(rows []*pendingRow) []*pendingRow {
	byKey := make(map[string][]*pendingRow)
	for _, p := range rows {
		if p.msg.body != nil {
			byKey[p.msg.dedupKey] = append(byKey[p.msg.dedupKey], p)
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
		if p.msg.body == nil {
			continue
		}
		k := p.msg.dedupKey
		order = append(order, byKey[k][next[k]])
		next[k]++
	}
	return order
}

// send delivers the row's event and records the outcome.
func (p *pendingRow) send(ctx context.Context, t *endpointTransformation) {
	o := send(ctx, t.settings, t.sender, p.msg)
	p.msg.body = nil
	switch {
	case o.queued != "":
		p.result = rowResult{status: o.status, body: o.queued} // the outbox masks what it says
	case o.status != 0:
		body := ""
		if o.resp != nil {
			body = o.resp.Body
		}
		p.result = rowResult{
			sent:   o.accepted(),
			status: o.status,
			body:   answerOrError(body, o.err), // delivery masks what it returns
		}
		if p.msg.dedupKey == "" && o.resp != nil {
			p.msg.dedupKey = o.resp.DedupKey
		}
	case o.err != nil:
		p.fail(o.err)
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
	t.settings.reportFailure(refusal(p.msg, err))
	t.settings.tellInvalid(p.msg, err)
}

func (p *pendingRow) fail(err error) {
	p.result = rowResult{body: oneLine(err, p.msg.routingKey)}
}

func (p *pendingRow) appendResult() error {
	r := p.result
	return p.out.appendAdded(p.msg.dedupKey, strconv.FormatBool(r.sent), strconv.Itoa(r.status), r.body)
}
