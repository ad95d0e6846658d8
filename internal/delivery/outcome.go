package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// outcome is the result of one attempt: an answer or a transport error.
type outcome struct {
	resp          *Response // masked
	err           error
	retryAfter    time.Duration
	hasRetryAfter bool
	location      string // of a 3xx answer, redacted and masked; "" if none
}

func (o outcome) status() int {
	if o.resp == nil {
		return 0
	}
	return o.resp.StatusCode
}

// finish ends a call whose retries are spent or not allowed, returning the
// last outcome as an error.
func (c *call) finish(last outcome, sent int) (*Response, error) {
	if last.err != nil {
		e := c.newError(KindTransport, last.err)
		e.Attempts = sent
		return nil, e
	}
	r := c.withAttempts(last.resp, sent)
	e := c.newError(KindHTTP, nil)
	e.Attempts, e.StatusCode, e.Message, e.Errors = sent, r.StatusCode, r.Message, r.Errors
	e.RetryAfter = r.RetryAfter
	return r, e
}

// redirected ends a call whose answer was a 3xx: PagerDuty never
// redirects, so the URL is wrong, and nothing is sent to the target.
func (c *call) redirected(last outcome, sent int) (*Response, error) {
	r := c.withAttempts(last.resp, sent)
	e := c.newError(KindRedirect, nil)
	e.Attempts, e.StatusCode, e.Location = sent, r.StatusCode, last.location
	return r, e
}

// canceled ends a call whose context is done, naming the last outcome in
// the cause so that "canceled while waiting out a 429" is visible.
func (c *call) canceled(last outcome, sent int, ctxErr error) (*Response, error) {
	cause := ctxErr
	switch {
	case last.err != nil && !errors.Is(last.err, ctxErr):
		cause = fmt.Errorf("%w (last error: %w)", ctxErr, last.err)
	case last.resp != nil:
		cause = fmt.Errorf("%w (last answer: %s)", ctxErr, statusText(last.resp.StatusCode))
	}
	e := c.newError(KindCanceled, cause)
	e.Attempts, e.StatusCode, e.RetryAfter = sent, last.status(), last.retryAfter
	return c.withAttempts(last.resp, sent), e
}

// stopped ends a call when the URL was found invalid or refused before an
// attempt; the previous answer, if any, is returned with the error.
func (c *call) stopped(last outcome, sent int, e *Error) (*Response, error) {
	e.Attempts, e.StatusCode, e.RetryAfter = sent, last.status(), last.retryAfter
	return c.withAttempts(last.resp, sent), e
}

func (c *call) withAttempts(r *Response, sent int) *Response {
	if r != nil {
		r.Attempts = sent
	}
	return r
}

// newError builds a *Error whose text the call's mask hides secrets in.
// Its URL is redacted and masked too.
func (c *call) newError(kind Kind, err error) *Error {
	return &Error{Kind: kind, URL: c.mask.apply(redact.URL(c.rawURL)), Err: err, scrub: c.mask.detached()}
}

// transportCause removes the *url.Error that net/http wraps around transport
// errors, because its text holds the full URL, and names a per-attempt
// timeout.
func (c *call) transportCause(err error, timeout time.Duration) error {
	err = stripURL(err)
	if errors.Is(err, context.DeadlineExceeded) && c.ctx.Err() == nil {
		err = fmt.Errorf("no answer within %v: %w", timeout.Round(time.Millisecond), err)
	}
	return err
}

// stripURL returns the error inside a *url.Error.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
