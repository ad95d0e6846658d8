package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

func TestError_Error(t *testing.T) {
	const u = "https://events.pagerduty.com/v2/enqueue"
	tests := []struct {
		name string
		err  *delivery.Error
		want string
	}{
		{name: "bad request", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 400, Attempts: 1, URL: u,
			Message: "Event object is invalid", Errors: []string{"'payload.source' is missing or blank"}},
			want: "PagerDuty rejected the event (400 Bad Request): Event object is invalid: 'payload.source' is missing or blank"},
		{name: "several errors", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 400, Attempts: 1,
			Message: "Event object is invalid", Errors: []string{"a", "b"}},
			want: "PagerDuty rejected the event (400 Bad Request): Event object is invalid: a; b"},
		{name: "server error after retries", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 503, Attempts: 4, URL: u},
			want: "PagerDuty rejected the event (503 Service Unavailable) after 4 attempts"},
		{name: "unknown status", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 599, Attempts: 1},
			want: "PagerDuty rejected the event (status 599)"},
		{name: "transport", err: &delivery.Error{Kind: delivery.KindTransport, Attempts: 4, URL: u, Err: io.EOF},
			want: "failed to post event to PagerDuty at " + u + " after 4 attempts: EOF"},
		{name: "transport, one attempt", err: &delivery.Error{Kind: delivery.KindTransport, Attempts: 1, URL: u, Err: io.EOF},
			want: "failed to post event to PagerDuty at " + u + " after 1 attempt: EOF"},
		{name: "canceled before any attempt", err: &delivery.Error{Kind: delivery.KindCanceled, URL: u, Err: context.Canceled},
			want: "failed to post event to PagerDuty at " + u + ": context canceled"},
		{name: "invalid URL", err: &delivery.Error{Kind: delivery.KindInvalidURL, URL: "ftp://x", Err: errors.New(`scheme must be http or https, was "ftp"`)},
			want: `invalid PagerDuty URL ftp://x: scheme must be http or https, was "ftp"`},
		{name: "refused", err: &delivery.Error{Kind: delivery.KindRefused, URL: u, Err: errors.New("no private IPs")},
			want: "PagerDuty URL " + u + " refused by URL validator: no private IPs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestError_Temporary(t *testing.T) {
	tests := []struct {
		name string
		err  *delivery.Error
		want bool
	}{
		{name: "429", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 429}, want: true},
		{name: "400", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 400}},
		{name: "500", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 500}, want: true},
		{name: "403", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 403}},
		{name: "transport EOF", err: &delivery.Error{Kind: delivery.KindTransport, Err: io.EOF}, want: true},
		{name: "transport without cause", err: &delivery.Error{Kind: delivery.KindTransport}},
		{name: "canceled after 429", err: &delivery.Error{Kind: delivery.KindCanceled, StatusCode: 429, Err: context.Canceled}},
		{name: "refused", err: &delivery.Error{Kind: delivery.KindRefused, Err: io.EOF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Temporary(); got != tt.want {
				t.Errorf("Temporary() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestError_Unwrap(t *testing.T) {
	cause := fmt.Errorf("read: %w", io.ErrUnexpectedEOF)
	var err error = &delivery.Error{Kind: delivery.KindTransport, Err: cause}
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.Unwrap(err) != cause {
		t.Errorf("Unwrap() does not reach the cause %v", cause)
	}
}

func TestKind_String(t *testing.T) {
	tests := []struct {
		kind delivery.Kind
		want string
	}{
		{delivery.KindHTTP, "http"},
		{delivery.KindTransport, "transport"},
		{delivery.KindInvalidURL, "invalid URL"},
		{delivery.KindRefused, "refused"},
		{delivery.KindCanceled, "canceled"},
		{0, "Kind(0)"},
		{99, "Kind(99)"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.kind), got, tt.want)
		}
	}
}
