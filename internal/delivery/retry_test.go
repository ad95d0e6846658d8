package delivery_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// TestRetryable_StatusCodes covers every HTTP status code, like RetryTests
// in alertmanager's notify/test: only 429, 500, 502, 503 and 504 are retried.
func TestRetryable_StatusCodes(t *testing.T) {
	retried := map[int]bool{429: true, 500: true, 502: true, 503: true, 504: true}
	type test struct {
		name   string
		status int
		want   bool
	}
	var tests []test
	for code := 100; code <= 599; code++ {
		tests = append(tests, test{name: strconv.Itoa(code), status: code, want: retried[code]})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := delivery.Retryable(tt.status, nil); got != tt.want {
				t.Errorf("Retryable(%d, nil) = %v, want %v", tt.status, got, tt.want)
			}
		})
	}
}

func TestRetryable_TransportErrors(t *testing.T) {
	post := func(err error) error {
		return &url.Error{Op: "Post", URL: "http://127.0.0.1:1/v2/enqueue", Err: err}
	}
	dial := func(errno syscall.Errno) error {
		return post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)})
	}
	tests := []struct {
		name   string
		status int
		err    error
		want   bool
	}{
		{name: "connection refused", err: dial(syscall.ECONNREFUSED), want: true},
		{name: "connection reset", err: post(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), want: true},
		{name: "network unreachable", err: dial(syscall.ENETUNREACH), want: true},
		{name: "EOF before a response", err: post(io.EOF), want: true},
		{name: "unexpected EOF", err: post(io.ErrUnexpectedEOF), want: true},
		{name: "attempt timeout", err: post(context.DeadlineExceeded), want: true},
		{name: "net timeout", err: post(&net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}), want: true},
		{name: "wrapped timeout", err: fmt.Errorf("no answer within 10s: %w", context.DeadlineExceeded), want: true},
		{name: "DNS timeout", err: post(&net.DNSError{Err: "i/o timeout", Name: "events.pagerduty.com", IsTimeout: true}), want: true},
		{name: "DNS temporary", err: post(&net.DNSError{Err: "server misbehaving", Name: "events.pagerduty.com", IsTemporary: true}), want: true},
		{name: "canceled by caller", err: post(context.Canceled), want: false},
		{name: "unknown host", err: post(&net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}), want: false},
		{name: "unknown authority", err: post(x509.UnknownAuthorityError{}), want: false},
		{name: "certificate verification", err: post(&tls.CertificateVerificationError{Err: errors.New("bad")}), want: false},
		{name: "hostname mismatch", err: post(x509.HostnameError{Host: "x"}), want: false},
		{name: "expired certificate", err: post(x509.CertificateInvalidError{Reason: x509.Expired}), want: false},
		{name: "validator refusal", err: &delivery.Error{Kind: delivery.KindRefused, Err: errors.New("private IP")}, want: false},
		{name: "invalid URL", err: &delivery.Error{Kind: delivery.KindInvalidURL, Err: errors.New("host is empty")}, want: false},
		{name: "canceled Error", err: &delivery.Error{Kind: delivery.KindCanceled, Err: context.Canceled}, want: false},
		{name: "HTTP 503 Error", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 503}, want: true},
		{name: "HTTP 400 Error", err: &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 400}, want: false},
		{name: "status ignored with error", status: 400, err: post(io.EOF), want: true},
		{name: "status ignored with permanent error", status: 503, err: post(context.Canceled), want: false},
		{name: "no status, no error", status: 0, err: nil, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := delivery.Retryable(tt.status, tt.err); got != tt.want {
				t.Errorf("Retryable(%d, %v) = %v, want %v", tt.status, tt.err, got, tt.want)
			}
		})
	}
}
