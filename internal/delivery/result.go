package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/fluxpd/fluxpd/internal/redact"
)

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
	scrubResponse(r, e.scrub)
	e.Attempts, e.StatusCode, e.Message, e.Errors = sent, r.StatusCode, r.Message, r.Errors
	return r, e
}

// redirected ends a call whose answer was a 3xx: PagerDuty never
// redirects, so the URL is wrong, and nothing is sent to the target.
func (c *call) redirected(last outcome, sent int) (*Response, error) {
	r := c.withAttempts(last.resp, sent)
	e := c.newError(KindRedirect, nil)
	scrubResponse(r, e.scrub)
	e.Attempts, e.StatusCode, e.Location = sent, r.StatusCode, last.location
	return r, e
}

// scrubResponse masks secrets that an error answer may echo, such as a
// routing key quoted in PagerDuty's "errors", since callers show the
// answer (the _body column). Successful answers are left untouched: they
// quote no secret, and the success path stays free of this work.
func scrubResponse(r *Response, scrub func(string) string) {
	r.Body, r.Message = scrub(r.Body), scrub(r.Message)
	for i, s := range r.Errors {
		r.Errors[i] = scrub(s)
	}
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
	e.Attempts, e.StatusCode = sent, last.status()
	if last.resp != nil {
		scrubResponse(last.resp, e.scrub)
	}
	return c.withAttempts(last.resp, sent), e
}

// stopped ends a call when the URL was found invalid or refused before an
// attempt; the previous answer, if any, is returned with the error.
func (c *call) stopped(last outcome, sent int, e *Error) (*Response, error) {
	e.Attempts, e.StatusCode = sent, last.status()
	if last.resp != nil {
		scrubResponse(last.resp, e.scrub)
	}
	return c.withAttempts(last.resp, sent), e
}

func (c *call) withAttempts(r *Response, sent int) *Response {
	if r != nil {
		r.Attempts = sent
	}
	return r
}

// newError builds a *Error that hides the request body and masks the
// caller's secrets, the routing key found in the body, and the URL's
// password and query string.
func (c *call) newError(kind Kind, err error) *Error {
	secrets := append([]string(nil), c.secrets...)
	var key struct {
		RoutingKey string `json:"routing_key"`
	}
	if json.Unmarshal(c.body, &key) == nil && key.RoutingKey != "" {
		secrets = append(secrets, key.RoutingKey)
	}
	if u, perr := url.Parse(c.rawURL); perr == nil {
		secrets = appendLong(secrets, u.RawQuery)
		if u.User != nil {
			p, _ := u.User.Password()
			secrets = appendLong(secrets, u.User.Username(), p)
		}
	}
	redacted := redact.URL(c.rawURL)
	return &Error{Kind: kind, URL: redacted, Err: err, scrub: scrubber(string(c.body), c.rawURL, redacted, secrets)}
}

// minURLSecret is the shortest URL part masked wherever it appears: the
// URL itself is already redacted, and masking every "pw" or "a=1" in a
// message would garble it.
const minURLSecret = 6

func appendLong(secrets []string, parts ...string) []string {
	for _, p := range parts {
		if len(p) >= minURLSecret {
			secrets = append(secrets, p)
		}
	}
	return secrets
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
