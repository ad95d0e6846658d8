package delivery

import (
	"io"
	"net/http"
	"time"
)

// MaxBodySize caps how much of an answer is read into memory. PagerDuty's
// answers are JSON objects well under 1 KiB (status, message, errors,
// dedup_key); the cap protects against a misconfigured URL that streams a
// large document. The part read is kept in Response.Body.
const MaxBodySize = 64 << 10

// maxDrain is how much more of an over-long answer is read and discarded so
// that the connection can be reused; beyond it the connection is closed,
// which is cheaper than reading on.
const maxDrain = 64 << 10

// Response is one HTTP answer, as read by Sender. Its text fields are
// masked: the secrets handed to Send never appear in them.
type Response struct {
	// StatusCode is the HTTP status code, for example 202.
	StatusCode int
	// Message, Errors and DedupKey are the fields "message", "errors" and
	// "dedup_key" of PagerDuty's JSON answer; empty when the body is not
	// PagerDuty's JSON.
	Message  string
	Errors   []string
	DedupKey string
	// Body is the raw answer, at most MaxBodySize bytes of it.
	Body string
	// Attempts is the number of requests sent, including this one.
	Attempts int
	// RetryAfter is the wait the answer's Retry-After header asked for,
	// as the header said it (callers cap it); 0 when it had none, and
	// always for a 2xx.
	RetryAfter time.Duration
}

// wireAnswer mirrors PagerDuty's answer: https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#response-codes--retry-logic
type wireAnswer struct {
	Message  string   `json:"message"`
	Errors   []string `json:"errors"`
	DedupKey string   `json:"dedup_key"`
}

// readResponse reads at most MaxBodySize bytes of hr's body, drains at most
// maxDrain more and closes it. A body cut short (for example by a dropped
// connection) keeps what arrived: the status has already been received and
// decides what happens next, so a 202 with a broken body is still accepted.
//
// Anything but PagerDuty's JSON (an HTML error page, a truncated body)
// leaves the parsed fields empty; json.Unmarshal still fills the fields it
// could read when one has an unexpected type.
func readResponse(hr *http.Response) *Response {
	body, _ := io.ReadAll(io.LimitReader(hr.Body, MaxBodySize))
	if len(body) == MaxBodySize {
		_, _ = io.CopyN(io.Discard, hr.Body, maxDrain)
	}
	_ = hr.Body.Close()
	text := string(body)
	w := decodeAnswer(text)
	return &Response{StatusCode: hr.StatusCode, Message: w.Message, Errors: w.Errors, DedupKey: w.DedupKey, Body: text}
}
