package delivery

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/internal/event"
)

// Kind says which step of a delivery failed.
type Kind int

// Kinds of delivery failure.
const (
	// KindHTTP: PagerDuty (or whatever answered) sent a non-2xx status.
	KindHTTP Kind = iota + 1
	// KindTransport: no HTTP answer arrived (connection refused or reset,
	// timeout, EOF before a response, ...).
	KindTransport
	// KindInvalidURL: the URL does not parse or is not absolute http(s).
	KindInvalidURL
	// KindRefused: the embedder's URL validator refused the URL; no request
	// was sent for that attempt.
	KindRefused
	// KindCanceled: the caller's context was canceled or passed its own
	// deadline.
	KindCanceled
	// KindRedirect: the answer was a redirect (3xx). PagerDuty's Events API
	// never redirects, so the URL points somewhere else; the redirect is
	// not followed and the event is not sent again.
	KindRedirect
)

var kindNames = [...]string{
	KindHTTP:       "http",
	KindTransport:  "transport",
	KindInvalidURL: "invalid URL",
	KindRefused:    "refused",
	KindCanceled:   "canceled",
	KindRedirect:   "redirect",
}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a failed delivery. Use Kind, StatusCode and Temporary rather
// than its text to decide what to do; compare EventsAPIV2Error in
// PagerDuty/go-pagerduty.
//
// Error() and GoString never contain the request body, the URL's userinfo
// or query string, or any secret passed to Sender.Send, even when a cause
// quotes them; nor do the fields URL, Location, Message and Errors. Unwrap
// returns the cause as it was, for errors.Is and errors.As, minus the
// *url.Error that net/http wraps around it with the full URL: its own text
// is not masked, so show the *Error, not its cause.
type Error struct {
	Kind Kind
	// StatusCode is the HTTP status of the last attempt, 0 if it got none.
	StatusCode int
	// Attempts is the number of requests sent.
	Attempts int
	// RetryAfter is the wait the last answer's Retry-After header asked
	// for, uncapped; 0 when it had none or no answer came.
	RetryAfter time.Duration
	// URL is the target with userinfo, query and fragment removed; empty
	// for a value without a scheme, which is never shown.
	URL string
	// Location is, for KindRedirect, the redirect target with userinfo,
	// query and fragment removed; empty if the answer named none.
	Location string
	// Message and Errors are PagerDuty's "message" and "errors" fields,
	// with secrets masked.
	Message string
	Errors  []string
	// Err is the cause: a transport error, the validator's refusal, a URL
	// parse error or the context's error. Nil for KindHTTP.
	Err error

	// scrub masks secrets in Error()'s text. A func, not the secrets
	// themselves, so that %#v cannot print them.
	scrub func(string) string
}

// Temporary reports whether the failure is of a retryable kind (see
// Retryable), so that trying again later may succeed.
func (e *Error) Temporary() bool {
	switch e.Kind {
	case KindHTTP:
		return Retryable(e.StatusCode, nil)
	case KindTransport:
		return e.Err != nil && Retryable(0, e.Err)
	}
	return false
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	var b strings.Builder
	switch e.Kind {
	case KindHTTP:
		// Like errDetails in alertmanager's notify/pagerduty: show what
		// PagerDuty said, not just the status.
		fmt.Fprintf(&b, "PagerDuty rejected the event (%s)", statusText(e.StatusCode))
		if e.Attempts > 1 {
			fmt.Fprintf(&b, " after %d attempts", e.Attempts)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
		if len(e.Errors) > 0 {
			b.WriteString(": " + strings.Join(e.Errors, "; "))
		}
	case KindInvalidURL:
		b.WriteString("invalid PagerDuty URL")
		if e.URL != "" {
			b.WriteString(" " + e.URL)
		}
		fmt.Fprintf(&b, ": %v", e.Err)
	case KindRedirect:
		fmt.Fprintf(&b, "PagerDuty URL %s answered %s", e.URL, statusText(e.StatusCode))
		if e.Location != "" {
			fmt.Fprintf(&b, " redirecting to %s", event.Quote(e.Location))
		} else {
			b.WriteString(" without a Location")
		}
		b.WriteString("; PagerDuty's Events API never redirects, so the URL is probably wrong: the redirect was not followed and the event was not delivered")
	case KindRefused:
		fmt.Fprintf(&b, "PagerDuty URL %s refused by URL validator: %v", e.URL, e.Err)
	default:
		fmt.Fprintf(&b, "failed to post event to PagerDuty at %s", e.URL)
		if e.Attempts > 0 {
			fmt.Fprintf(&b, " after %d %s", e.Attempts, plural(e.Attempts, "attempt", "attempts"))
		}
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.scrub != nil {
		return e.scrub(b.String())
	}
	return b.String()
}

// GoString keeps %#v from printing a cause or an answer that quotes a
// secret.
func (e *Error) GoString() string {
	scrub := e.scrub
	if scrub == nil {
		scrub = func(s string) string { return s }
	}
	errors := make([]string, len(e.Errors))
	for i, s := range e.Errors {
		errors[i] = scrub(s)
	}
	cause := ""
	if e.Err != nil {
		cause = scrub(e.Err.Error())
	}
	return fmt.Sprintf("&delivery.Error{Kind:%v, StatusCode:%d, Attempts:%d, RetryAfter:%v, URL:%q, Location:%q, Message:%q, Errors:%q, Err:%q}",
		e.Kind, e.StatusCode, e.Attempts, e.RetryAfter, scrub(e.URL), scrub(e.Location), scrub(e.Message), errors, cause)
}

// statusText formats a status like "400 Bad Request", without trusting the
// status line the server sent.
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("status %d", code)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
