package pagerduty

import (
	"errors"
	"strings"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// fluxError maps a delivery failure to a Flux error with a matching code.
// The *delivery.Error stays the cause, so embedders can errors.As it;
// delivery has masked the routing key in its text.
func fluxError(err error) error {
	if err == nil {
		return &flux.Error{Code: codes.Internal, Msg: "no answer and no error from the PagerDuty sender"}
	}
	var de *delivery.Error
	if !errors.As(err, &de) {
		return &flux.Error{Code: codes.Unknown, Err: err}
	}
	code := codes.Unavailable
	switch de.Kind {
	case delivery.KindRefused, delivery.KindInvalidURL, delivery.KindRedirect:
		code = codes.Invalid
	case delivery.KindCanceled:
		code = codes.Canceled
	}
	return &flux.Error{Code: code, Err: err}
}

// This file is the one place where the binding masks secrets in its own
// texts (delivery and the outbox mask what they return): invalid and
// oneLine for its errors, a row's _body and its reports' reasons, masked
// for dedup keys in its reports, shownURL for URLs it prints.

// invalid wraps argument errors. errors.Join separates problems with
// newlines; one line reads better after the interpreter's prefix. Errors
// quote wrong values, and a routing key passed to the wrong parameter
// would be one of them, so secrets (the routing key) are masked.
func invalid(err error, secrets ...string) error {
	return &flux.Error{Code: codes.Invalid, Msg: oneLine(err, secrets...)}
}

// oneLine is err's text on one line with secrets masked: how the binding
// shows its own errors, raised (invalid) or in a row's _body.
func oneLine(err error, secrets ...string) string {
	return redact.String(strings.ReplaceAll(err.Error(), "\n", "; "), secrets...)
}

// shownURL is raw as the binding prints it: without userinfo or query,
// cut to a readable length (see redact.URL).
func shownURL(raw string) string { return redact.URL(raw) }
