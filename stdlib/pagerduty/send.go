package pagerduty

import (
	"context"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/version"
)

// newSender builds a Sender from the embedder's dependencies: its HTTP
// client (so proxies, limits and test doubles apply) and its URL validator.
func newSender(ctx context.Context, policy delivery.Policy) (*delivery.Sender, error) {
	deps := flux.GetDependencies(ctx)
	client, err := deps.HTTPClient()
	if err != nil {
		return nil, &flux.Error{Code: codes.Internal, Msg: "no HTTP client in the Flux dependencies", Err: err}
	}
	validator, err := deps.URLValidator()
	if err != nil {
		return nil, &flux.Error{Code: codes.Internal, Msg: "no URL validator in the Flux dependencies", Err: err}
	}
	return &delivery.Sender{
		Client:    client,
		Validate:  validator.Validate,
		Policy:    policy,
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
}

// encode builds a message from an event the core has built.
func encode(function, rawURL string, v any, routingKey, dedupKey string) (message, error) {
	body, err := event.Encode(v)
	return message{function: function, url: rawURL, body: body, routingKey: routingKey, dedupKey: dedupKey}, err
}

// send delivers m and reports a failure to the host. A non-2xx answer is
// a result, not an error; failing to get any answer is an error.
func send(ctx context.Context, s settings, sender *delivery.Sender, m message) (*delivery.Response, error) {
	resp, err := sender.Send(ctx, m.url, m.body, m.routingKey)
	if err != nil || resp == nil || resp.StatusCode/100 != 2 {
		s.reportFailure(newFailure(m.function, m.url, m.dedupKey, m.routingKey, resp, err))
	}
	return resp, err
}

// sendOne sends one message for sendEvent or sendChangeEvent and returns
// PagerDuty's status code.
func sendOne(ctx context.Context, s settings, m message) (int, error) {
	sender, err := newSender(ctx, s.policy)
	if err != nil {
		return 0, err
	}
	resp, err := send(ctx, s, sender, m)
	if resp != nil && resp.StatusCode != 0 {
		return resp.StatusCode, nil
	}
	return 0, fluxError(err, m.routingKey)
}
