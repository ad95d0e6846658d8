package delivery

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// maxReasonBody is how much of an answer that is not PagerDuty's JSON
// (an HTML error page, say) a reason quotes.
const maxReasonBody = 200

// Reason is what the answer says: PagerDuty's message and errors, as in
// "Event object is invalid: 'payload.source' is missing or blank", or,
// when it has neither, the start of the body (at most maxReasonBody
// bytes) on one line. Like every text field of a Response, it is masked.
func (r *Response) Reason() string {
	var parts []string
	if r.Message != "" {
		parts = append(parts, r.Message)
	}
	if len(r.Errors) > 0 {
		parts = append(parts, strings.Join(r.Errors, "; "))
	}
	if len(parts) > 0 {
		return strings.Join(parts, ": ")
	}
	body := strings.Join(strings.Fields(r.Body), " ")
	if len(body) > maxReasonBody {
		cut := maxReasonBody
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut] + "…"
	}
	return body
}

// Summary is what a caller records or reports of one Send, computed in
// this one place from what Send returned: the outbox stores it with a
// queued or dead-lettered event, the binding reports it.
type Summary struct {
	// Status is the HTTP status of the last answer, 0 when none came.
	Status int
	// Attempts is the number of requests sent.
	Attempts int
	// RetryAfter is the last answer's Retry-After, uncapped; 0 when it had
	// none.
	RetryAfter time.Duration
	// Reason says why the send failed, masked: for a non-2xx answer
	// "PagerDuty answered 400 Bad Request: " and the answer's Reason;
	// otherwise the error's text. Empty after a 2xx.
	Reason string
}

// Summarize sums up the resp and err that one Send returned.
func Summarize(resp *Response, err error) Summary {
	var s Summary
	if resp != nil {
		s.Status, s.Attempts, s.RetryAfter = resp.StatusCode, resp.Attempts, resp.RetryAfter
	}
	var de *Error
	if !errors.As(err, &de) {
		if err != nil {
			s.Reason = err.Error()
		}
		return s
	}
	s.Attempts = de.Attempts
	if s.Status == 0 {
		s.Status, s.RetryAfter = de.StatusCode, de.RetryAfter
	}
	if de.Kind != KindHTTP {
		s.Reason = err.Error()
		return s
	}
	answer := &Response{Message: de.Message, Errors: de.Errors}
	if resp != nil {
		answer = resp
	}
	s.Reason = "PagerDuty answered " + statusText(de.StatusCode)
	if why := answer.Reason(); why != "" {
		s.Reason += ": " + why
	}
	return s
}
