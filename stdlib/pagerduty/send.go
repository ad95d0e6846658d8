package pagerduty

import (
	"context"
	"errors"
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/version"
)

// newSender builds a Sender from the embedder's dependencies: its HTTP
// client (so proxies, limits and test doubles apply) and its URL validator,
// with s's retry policy, diverted when the host diverts.
func newSender(ctx context.Context, s settings) (*delivery.Sender, error) {
	deps := flux.GetDependencies(ctx)
	client, err := deps.HTTPClient()
	if err != nil {
		return nil, &flux.Error{Code: codes.Internal, Msg: "no HTTP client in the Flux dependencies", Err: err}
	}
	validator, err := deps.URLValidator()
	if err != nil {
		return nil, &flux.Error{Code: codes.Internal, Msg: "no URL validator in the Flux dependencies", Err: err}
	}
	if s.divert != nil {
		client = (&host.Divert{To: s.divert}).Doer(client)
	}
	return &delivery.Sender{
		Client:    client,
		Validate:  validator.Validate,
		Policy:    s.policy,
		UserAgent: version.UserAgent(),
	}, nil
}

// message is one event ready to send: its encoded body and what a report
// about it needs.
type message struct {
	function   string // the Flux function sending it, for reports
	url        string
	body       []byte
	routingKey string
	dedupKey   string
	// action and summary are the event's, for Host.Sent.
	action, summary string
}

// outcome is how one send ended.
type outcome struct {
	resp *delivery.Response // the last answer, nil if none came
	err  error              // why the send failed, nil on 2xx
	// queued, when not empty, says the event waits in the outbox, and why.
	queued string
	// lost: neither PagerDuty nor the outbox took the event; err gives
	// both reasons, and resp is nil (its answer is in err).
	lost   bool
	status int // the last status, 0 when no answer came
}

// accepted reports a 2xx answer.
func (o outcome) accepted() bool { return o.err == nil && o.status/100 == 2 }

// send delivers m, through the outbox when the host keeps one, and
// reports a failure to the host. A non-2xx answer is an outcome, not an
// error of the script.
func send(ctx context.Context, s settings, sender *delivery.Sender, m message) outcome {
	var o outcome
	if s.outbox == nil {
		o.resp, o.err = sender.Send(ctx, m.url, m.body, m.routingKey)
	} else {
		o = deliverVia(ctx, s, sender, m)
	}
	o.status = delivery.Summarize(o.resp, o.err).Status
	if !o.accepted() {
		f := newFailure(m, o.resp, o.err)
		if o.queued != "" {
			f.Queued, f.Reason = true, o.queued // the outbox masks what it says
		}
		s.reportFailure(f)
	}
	s.tellSent(m, o)
	return o
}

// deliverVia sends m through the outbox, which queues it when the send
// ends with a retryable outcome or its alert already waits there.
// With flushFirst, it first tries the head of m's alert once, if the
// alert waits there, and no other alert: each new event of a waiting
// alert costs at most one request more during an outage. An event that
// could not be stored is lost, and the outcome says so with both reasons.
func deliverVia(ctx context.Context, s settings, sender *delivery.Sender, m message) outcome {
	if s.flushFirst && s.outbox.Pending(m.routingKey, m.dedupKey) {
		if fs, err := flushSender(ctx); err == nil {
			alert := &outbox.Group{RoutingKey: m.routingKey, DedupKey: m.dedupKey}
			_, _ = s.outbox.Flush(ctx, outbox.FlushOptions{Sender: fs, Force: true, Group: alert})
		}
	}
	d, err := s.outbox.Deliver(ctx, sender, outbox.Entry{URL: m.url, RoutingKey: m.routingKey, DedupKey: m.dedupKey, Body: m.body})
	o := outcome{resp: d.Response, err: d.Err}
	if err != nil {
		o.resp, o.lost = nil, true
		o.err = fmt.Errorf("%w; the event was not stored in the outbox %s either, so it is lost: %w", orNoAnswer(d.Err), s.outbox.Path(), err)
		return o
	}
	if d.Queued {
		o.queued = d.Reason
		if o.err == nil {
			o.err = errors.New(d.Reason)
		}
	}
	return o
}

// orNoAnswer is the send's error, or what stood in for it when the event
// was not sent because earlier events of its alert wait in the outbox.
func orNoAnswer(err error) error {
	if err == nil {
		return errors.New("not sent, since earlier events for its dedup key wait in the outbox")
	}
	return err
}

// sendOne encodes an event the core has built for sendEvent or
// sendChangeEvent, tells the host what the core changed in it, sends it and
// returns PagerDuty's status code: the answer, or with an outbox the last
// status (0 when none came) of an event queued for redelivery.
func sendOne(ctx context.Context, s settings, m message, ev any, notice event.Notice) (values.Value, error) {
	body, err := event.Encode(ev)
	if err != nil {
		return nil, invalid(err, m.routingKey)
	}
	m.body = body
	m.action, m.summary = eventGist(ev)
	s.notify(m, notice)
	sender, err := newSender(ctx, s)
	if err != nil {
		return nil, err
	}
	o := send(ctx, s, sender, m)
	if (o.status == 0 && o.queued == "") || o.lost {
		return nil, fluxError(o.err)
	}
	return values.NewInt(int64(o.status)), nil
}
