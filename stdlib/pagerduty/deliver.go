package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/version"
)

// deliveryParams are the parameters every sending builtin takes from the
// package options maxRetries, attemptTimeout and deadline.
func deliveryParams() map[string]semantic.PolyType {
	return map[string]semantic.PolyType{
		argMaxRetries:     semantic.Int,
		argAttemptTimeout: semantic.Duration,
		argDeadline:       semantic.Duration,
	}
}

// readPolicy reads the delivery settings, falling back to the defaults for
// any that are absent.
func readPolicy(args interpreter.Arguments) (delivery.Policy, error) {
	p := delivery.DefaultPolicy()
	if n, ok, err := args.GetInt(argMaxRetries); err != nil {
		return p, err
	} else if ok {
		if n < 0 || n > 100 {
			return p, fmt.Errorf("maxRetries must be between 0 and 100; got %d", n)
		}
		p.MaxRetries = int(n)
		if n == 0 {
			// A zero delivery.Policy.MaxRetries means "the default", not
			// "no retries".
			p.MaxRetries = delivery.NoRetries
		}
	}
	for name, dst := range map[string]*time.Duration{argAttemptTimeout: &p.AttemptTimeout, argDeadline: &p.Deadline} {
		v, ok := args.Get(name)
		if !ok {
			continue
		}
		d := v.Duration().Duration()
		if d <= 0 {
			return p, fmt.Errorf("%s must be a positive duration; got %s", name, v.Duration())
		}
		*dst = d
	}
	return p, nil
}

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

// sendJSON encodes v, posts it to the URL argument and returns PagerDuty's
// status code. A non-2xx answer is a result, not an error, so scripts can
// branch on it; failing to get any answer is an error.
func sendJSON(ctx context.Context, args interpreter.Arguments, v any, routingKey string) (values.Value, error) {
	rawURL, err := args.GetRequiredString(argURL)
	if err != nil {
		return nil, err
	}
	if err := checkURL(argURL, rawURL); err != nil {
		return nil, invalid(err, routingKey)
	}
	body, err := event.Encode(v)
	if err != nil {
		return nil, invalid(err, routingKey)
	}
	policy, err := readPolicy(args)
	if err != nil {
		return nil, invalid(err, routingKey)
	}
	sender, err := newSender(ctx, policy)
	if err != nil {
		return nil, err
	}
	resp, err := sender.Send(ctx, rawURL, body, routingKey)
	if resp != nil && resp.StatusCode != 0 {
		return values.NewInt(int64(resp.StatusCode)), nil
	}
	return nil, fluxError(err, routingKey)
}

// checkURL accepts absolute http and https URLs. A rejected value is shown
// without userinfo and query string, and not at all when it has no scheme:
// such a value is more likely a routing key passed as the URL (the two
// string parameters swapped) than a URL with a typo.
func checkURL(param, raw string) error {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	got := strconv.Quote(redact.URL(raw))
	if err == nil && u.Scheme == "" {
		got = "a value without a scheme (not shown in case it is a secret)"
	}
	return fmt.Errorf("%s must be an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue; got %s", param, got)
}

// fluxError maps a delivery failure to a Flux error with a matching code.
func fluxError(err error, routingKey string) error {
	if err == nil {
		return &flux.Error{Code: codes.Internal, Msg: "no answer and no error from the PagerDuty sender"}
	}
	msg := redact.String(err.Error(), routingKey)
	var de *delivery.Error
	if !errors.As(err, &de) {
		return &flux.Error{Code: codes.Unknown, Msg: msg}
	}
	code := codes.Unavailable
	switch de.Kind {
	case delivery.KindRefused, delivery.KindInvalidURL:
		code = codes.Invalid
	case delivery.KindCanceled:
		code = codes.Canceled
	}
	return &flux.Error{Code: code, Msg: msg}
}

// invalid wraps argument errors. errors.Join separates problems with
// newlines; one line reads better after the interpreter's prefix. Errors
// quote wrong values, and a routing key passed to the wrong parameter
// would be one of them, so secrets (the routing key) are masked.
func invalid(err error, secrets ...string) error {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	return &flux.Error{Code: codes.Invalid, Msg: redact.String(msg, secrets...)}
}

func errNotRecord(name string, v values.Value) error {
	return fmt.Errorf("%s must be a record such as {host: r.host, \"ping time\": r.ping}; got a value of type %s", name, natureOf(v))
}
