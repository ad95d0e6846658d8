package pagerduty

import (
	"context"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/version"
)

// userAgent is the User-Agent of every request.
var userAgent = version.UserAgent()

// newSender builds a Sender from the embedder's dependencies: its HTTP
// client (so proxies, limits and test doubles apply) and its URL validator,
// with s's retry policy. The host diverts it when it sends (host.Divert).
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
	return &delivery.Sender{
		Client:    client,
		Validate:  validator.Validate,
		Policy:    s.policy,
		UserAgent: userAgent,
	}, nil
}

// message is one event ready to send, as the host layer takes it.
type message = host.Message

// sendOne encodes an event the core has built for sendEvent or
// sendChangeEvent, tells the host what the core changed in it, sends it to
// m.Target and returns PagerDuty's status code: the answer, or with an
// outbox the last status (0 when none came) of an event queued for
// redelivery.
func sendOne(ctx context.Context, s settings, m message, ev any, notice event.Notice) (values.Value, error) {
	body, err := event.Encode(ev)
	if err != nil {
		return nil, invalid(err, m.RoutingKey)
	}
	m.URL, m.Body = m.Target.String(), body
	m.Action, m.Summary = eventGist(ev)
	s.host.Notify(m, notice.Messages())
	sender, err := newSender(ctx, s)
	if err != nil {
		return nil, err
	}
	r := s.host.Send(ctx, sender, m)
	if (r.Status == 0 && r.Queued == "") || r.Lost {
		return nil, fluxError(r.Err)
	}
	return statusValue(r.Status), nil
}

// statusCodes bounds the status values made once: HTTP's status codes are
// below it, and 0 stands for no answer.
const statusCodes = 600

// statusValues are the Flux values of the status codes, made once rather
// than for every event.
var statusValues = func() (v [statusCodes]values.Value) {
	for i := range v {
		v[i] = values.NewInt(int64(i))
	}
	return v
}()

// statusValue is the Flux value of an HTTP status code.
func statusValue(code int) values.Value {
	if code >= 0 && code < len(statusValues) {
		return statusValues[code]
	}
	return values.NewInt(int64(code))
}
