package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
)

// Retryable reports whether an attempt that ended with status (when err is
// nil) or with the transport error err should be tried again. It is the whole
// retry policy, kept pure so that it can be tested against every status code.
//
// PagerDuty documents 429 (rate limited; the event was not ingested), 5xx and
// network errors as "retry after some time", and every other answer as final:
// https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#response-codes--retry-logic
// Of the 5xx codes only those a healthy endpoint can answer transiently are
// retried: 500, 502, 503 and 504. A 501 or 505 will not change on a retry.
// 400 is never retried: the same body would be rejected again.
//
// Transport errors (connection refused or reset, timeouts, EOF before a
// response) are retried, except those that a retry cannot fix: the caller's
// cancellation, an unknown host and TLS certificate failures. A *Error is
// retried only if it is Temporary. When err is not nil, status is ignored.
func Retryable(status int, err error) bool {
	if err != nil {
		return retryableErr(err)
	}
	switch status {
	case http.StatusTooManyRequests,
		http.StatusInternalServerError,
		http.StatusBadGateway,
		http.StatusServiceUnavailable,
		http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableErr classifies transport errors by exclusion, like
// go-retryablehttp's DefaultRetryPolicy: an unknown network failure is more
// likely to be transient than permanent.
func retryableErr(err error) bool {
	var (
		e         *Error
		dnsErr    *net.DNSError
		verifyErr *tls.CertificateVerificationError
		authErr   x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &e):
		return e.Temporary()
	case errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	case errors.As(err, &verifyErr), errors.As(err, &authErr),
		errors.As(err, &hostErr), errors.As(err, &certErr):
		return false
	}
	return true
}
