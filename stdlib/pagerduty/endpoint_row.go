package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/influxdata/flux"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// pendingRow is one row of endpoint between its preparation and its
// result columns.
type pendingRow struct {
	out        *outTable
	routingKey string // masked in any text the row reports
	dedupKey   string // the key sent, or the one PagerDuty generated
	body       []byte // the encoded event; nil when the row failed before sending
	result     rowResult
}

// rowResult is what endpoint reports about a row.
type rowResult struct {
	sent   bool   // PagerDuty answered 2xx
	status int    // HTTP status, 0 when no answer came
	body   string // PagerDuty's answer, or why the row was not sent
}

// prepare evaluates mapFn on row i of cr and encodes the event it
// describes. dedupCol is the index of DedupKeyColumn in cr, or -1. A row
// that cannot be sent gets its result here, and no body.
func (t *endpointTransformation) prepare(out *outTable, cr flux.ColReader, i, dedupCol int) pendingRow {
	p := pendingRow{out: out}
	if dedupCol >= 0 {
		if col := cr.Strings(dedupCol); col.IsValid(i) {
			p.dedupKey = col.ValueString(i)
		}
	}
	obj, err := t.fn.Eval(t.ctx, i, cr)
	if err != nil {
		p.fail(fmt.Errorf("mapFn failed on this row: %w", err))
		return p
	}
	in, err := readEvent(obj.Get)
	p.routingKey = in.RoutingKey
	if in.DedupKey == "" {
		in.DedupKey = p.dedupKey
	} else {
		p.dedupKey = in.DedupKey
	}
	if err != nil {
		p.fail(err)
		return p
	}
	ev, _, err := event.Build(in)
	if err != nil {
		p.fail(err)
		return p
	}
	if p.body, err = event.Encode(ev); err != nil {
		p.fail(err)
	}
	return p
}

// send posts the row's event and records the outcome. It runs on a
// dispatch worker and touches only p.
func (p *pendingRow) send(ctx context.Context, s *delivery.Sender, url string) {
	resp, err := s.Send(ctx, url, p.body, p.routingKey)
	p.body = nil
	switch {
	case resp != nil && resp.StatusCode != 0:
		p.result = rowResult{
			sent:   resp.StatusCode/100 == 2,
			status: resp.StatusCode,
			body:   redact.String(strings.TrimSpace(resp.Body), p.routingKey),
		}
		if p.dedupKey == "" {
			p.dedupKey = resp.DedupKey
		}
	case err != nil:
		p.fail(err)
	default:
		p.fail(errors.New("no answer and no error from the PagerDuty sender"))
	}
}

// fail records that the row was not sent, or got no answer, because of err.
func (p *pendingRow) fail(err error) {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	p.result = rowResult{body: redact.String(msg, p.routingKey)}
}

// appendResult appends the row's result columns, in endpointColumns order.
func (p *pendingRow) appendResult() error {
	r := p.result
	return p.out.appendAdded(p.dedupKey, strconv.FormatBool(r.sent), strconv.Itoa(r.status), r.body)
}
