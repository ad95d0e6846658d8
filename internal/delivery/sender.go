package delivery

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// Doer sends one HTTP request; *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// DefaultUserAgent is sent when Sender.UserAgent is empty.
const DefaultUserAgent = "fluxpd"

// Request header values. Accept asks for version 2 of PagerDuty's API, as
// existing senders do.
const (
	contentType = "application/json"
	acceptV2    = "application/vnd.pagerduty+json;version=2"
)

// Sender posts event bodies to PagerDuty, retrying as its Policy says.
// The zero value is usable: it sends once, with no timeout but the
// context's; set Policy to DefaultPolicy() for PagerDuty's advice. A Sender is
// safe for concurrent use if its Client, Validate, Clock and Rand are. A
// Sender must not be copied after first use.
//
// A Sender never follows redirects: PagerDuty's Events API does not
// redirect, and following one would either turn the POST into a body-less
// GET whose answer looks like success (301, 302, 303) or re-post the body,
// routing key included, to wherever Location points, past the URL
// validator (307, 308). Any 3xx answer is a failed send (KindRedirect),
// never retried.
type Sender struct {
	// Client sends the requests; nil means http.DefaultClient. An
	// *http.Client is used through a shallow copy whose CheckRedirect
	// returns http.ErrUseLastResponse, made once per Client (Senders made
	// one after another for the same Client share it; see lastNoRedirect),
	// so a Client must not be changed once used; for any other Doer, a
	// 3xx answer that reaches the Sender is final.
	Client Doer
	// Validate, if not nil, checks the URL before every attempt, so that a
	// DNS answer that changed between attempts is checked again. It must not
	// modify the URL. A refusal ends the call without sending a request.
	Validate func(*url.URL) error
	// Policy bounds retries and waits; its fields are used as written.
	Policy Policy
	// UserAgent is the User-Agent header; empty means DefaultUserAgent.
	UserAgent string
	// Clock tells the time and waits between attempts; nil means the real clock.
	Clock Clock
	// Rand returns values in [0, 1) for backoff jitter; nil means math/rand/v2.
	Rand func() float64

	// noRedirect caches the redirect-refusing copy of Client.
	noRedirect atomic.Pointer[clientCopy]
}

// clientCopy is a shallow copy of an *http.Client that follows no
// redirect, with the client it was made from.
type clientCopy struct {
	from, copy *http.Client
}

// doer returns the Doer to send with: Client, or for an *http.Client (and
// for the default) its cached copy that follows no redirect.
func (s *Sender) doer() Doer {
	d := s.Client
	if d == nil {
		d = http.DefaultClient
	}
	hc, ok := d.(*http.Client)
	if !ok {
		return d
	}
	if c := s.noRedirect.Load(); c != nil && c.from == hc {
		return c.copy
	}
	if c := lastNoRedirect.Load(); c != nil && c.from == hc {
		s.noRedirect.Store(c)
		return c.copy
	}
	cp := *hc
	cp.CheckRedirect = refuseRedirect
	c := &clientCopy{from: hc, copy: &cp}
	s.noRedirect.Store(c)
	lastNoRedirect.Store(c)
	return &cp
}

// lastNoRedirect is the last no-redirect copy any Sender made: a caller
// that makes a Sender per event (the Flux binding, whose HTTP client is
// the query's) copies its client once, not once per event.
var lastNoRedirect atomic.Pointer[clientCopy]

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Send posts body to rawURL with up to Policy.MaxRetries retries, and
// resends the identical body each time: the event's dedup_key makes that
// idempotent.
//
// secrets (the routing key, typically) are masked in everything Send
// returns: the Response's text fields and the *Error's fields and text,
// together with the body and the URL's userinfo and query string. Send
// looks for no secret by itself, not even in the body: pass every secret
// that must not leak.
//
// rawURL must pass the same check as CheckURL; otherwise Send returns a
// *Error of KindInvalidURL and sends nothing.
//
// For a 2xx answer Send returns the Response and nil. For a 3xx answer it
// returns the Response and a *Error of KindRedirect, at once and without
// sending anything to the redirect target. For a final non-2xx answer it
// returns the Response and a *Error of KindHTTP. Otherwise it
// returns a *Error of another kind, with the last Response if there was one.
// Response.Attempts and Error.Attempts count the requests sent.
func (s *Sender) Send(ctx context.Context, rawURL string, body []byte, secrets ...string) (*Response, error) {
	t, err := parseTarget(rawURL)
	if err != nil {
		c := s.newCall(ctx, rawURL, nil, body, secrets)
		e := c.newError(KindInvalidURL, err)
		if errors.Is(err, errNoScheme) {
			e.URL = ""
		}
		return nil, e
	}
	return s.SendTo(ctx, t, body, secrets...)
}

// SendTo is Send to a URL checked already: it does not check or parse
// t's URL again. The zero Target is refused as Send refuses "".
func (s *Sender) SendTo(ctx context.Context, t Target, body []byte, secrets ...string) (*Response, error) {
	if t.IsZero() {
		return s.Send(ctx, "", body, secrets...)
	}
	c := s.newCall(ctx, t.t.raw, &t.t.u, body, secrets)
	c.target = t.t
	return c.run()
}

func (s *Sender) newCall(ctx context.Context, rawURL string, u *url.URL, body []byte, secrets []string) *call {
	c := &call{s: s, ctx: ctx, rawURL: rawURL, body: body, mask: newMask(rawURL, u, body, secrets), policy: s.Policy}
	c.clock = s.Clock
	if c.clock == nil {
		c.clock = realClock{}
	}
	return c
}

// call is the state of one Send.
type call struct {
	s      *Sender
	ctx    context.Context
	rawURL string
	target *target // nil until the URL has passed the check
	body   []byte
	mask   mask
	policy Policy
	clock  Clock
}

func (c *call) run() (*Response, error) {
	var deadline time.Time // zero: none
	if c.policy.Deadline > 0 {
		deadline = c.clock.Now().Add(c.policy.Deadline)
	}
	var last outcome
	sent := 0
	for {
		if err := c.ctx.Err(); err != nil {
			return c.canceled(last, sent, err)
		}
		timeout, bounded := c.policy.AttemptTimeout, c.policy.AttemptTimeout > 0
		if !deadline.IsZero() {
			remaining := deadline.Sub(c.clock.Now())
			if sent > 0 && remaining <= 0 {
				return c.finish(last, sent)
			}
			if !bounded || remaining < timeout {
				timeout, bounded = remaining, true
			}
		}
		o, err := c.attempt(timeout, bounded)
		if err != nil { // invalid or refused URL: nothing was sent
			return c.stopped(last, sent, err)
		}
		last = o
		sent++
		if o.err == nil && o.resp.StatusCode/100 == 2 {
			o.resp.Attempts = sent
			return o.resp, nil
		}
		if o.err == nil && o.resp.StatusCode/100 == 3 {
			return c.redirected(o, sent)
		}
		if err := c.ctx.Err(); err != nil && o.err != nil { // the caller cut the attempt short
			return c.canceled(last, sent, err)
		}
		if !Retryable(o.status(), o.err) || sent > c.policy.MaxRetries {
			return c.finish(last, sent)
		}
		wait := c.wait(sent-1, o)
		if !c.fits(wait, deadline) {
			return c.finish(last, sent)
		}
		if err := c.clock.Sleep(c.ctx, wait); err != nil {
			return c.canceled(last, sent, err)
		}
	}
}

// attempt sends one request and reads the answer, under timeout if
// bounded. A non-nil *Error means no request was sent.
func (c *call) attempt(timeout time.Duration, bounded bool) (outcome, *Error) {
	// One derived context per attempt: a second one left uncanceled would
	// stay registered with the caller's context (a Flux query's) until the
	// query ends, one per event.
	var ctx context.Context
	var cancel context.CancelFunc
	if bounded {
		ctx, cancel = context.WithTimeout(c.ctx, timeout)
	} else {
		ctx, cancel = context.WithCancel(c.ctx)
	}
	defer cancel()
	req := c.newRequest(ctx)
	if c.s.Validate != nil {
		if err := c.s.Validate(req.URL); err != nil {
			return outcome{}, c.newError(KindRefused, err)
		}
	}
	hr, err := c.s.doer().Do(req)
	if err != nil {
		return outcome{err: c.transportCause(err, timeout)}, nil
	}
	var location string
	if hr.StatusCode/100 == 3 {
		if loc, err := hr.Location(); err == nil {
			location = c.mask.apply(redact.URL(loc.String()))
		}
	}
	o := outcome{resp: readResponse(hr), location: location}
	maskResponse(o.resp, &c.mask)
	if hr.StatusCode/100 != 2 {
		if v := hr.Header.Get("Retry-After"); v != "" {
			o.retryAfter, o.hasRetryAfter = ParseRetryAfter(v, c.clock.Now())
			o.resp.RetryAfter = o.retryAfter
		}
	}
	return o, nil
}

// newRequest builds the POST to the call's target: what
// http.NewRequestWithContext builds for a *bytes.Reader body, without
// parsing the URL again. The body reader is new on every attempt, so every
// attempt sends the identical bytes.
func (c *call) newRequest(ctx context.Context) *http.Request {
	u := c.target.u // the request's own copy: a Doer may change it
	req := &http.Request{
		Method: http.MethodPost, URL: &u, Host: u.Host,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, requestHeaders),
		Body:   http.NoBody, GetBody: noBody, ContentLength: int64(len(c.body)),
	}
	if len(c.body) > 0 {
		body := c.body
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	ua := c.s.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", acceptV2)
	req.Header.Set("User-Agent", ua)
	return req.WithContext(ctx)
}

// requestHeaders is how many headers newRequest sets.
const requestHeaders = 3

func noBody() (io.ReadCloser, error) { return http.NoBody, nil }

// wait returns the pause before retry number retry: Retry-After when the
// answer had one (capped by MaxRetryAfter), otherwise jittered backoff.
func (c *call) wait(retry int, o outcome) time.Duration {
	if o.hasRetryAfter {
		return min(o.retryAfter, max(c.policy.MaxRetryAfter, 0))
	}
	return c.policy.backoff(c.s.Rand).Wait(retry)
}

// fits reports whether a wait ends before both the call's deadline (if
// any) and the context's deadline; a wait that cannot be followed by an attempt is not
// worth starting. The context's deadline is real time, like its timer.
func (c *call) fits(wait time.Duration, deadline time.Time) bool {
	if !deadline.IsZero() && c.clock.Now().Add(wait).After(deadline) {
		return false
	}
	if d, ok := c.ctx.Deadline(); ok && time.Until(d) <= wait {
		return false
	}
	return true
}
