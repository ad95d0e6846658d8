package delivery

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
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

// pooledBufSize bounds the buffers kept for reuse, so that one large answer
// does not pin 64 KiB per pooled buffer.
const pooledBufSize = 4 << 10

// reader is the pooled state of readResponse; the LimitedReader lives here
// so that passing it to ReadFrom does not allocate one per answer.
type reader struct {
	buf bytes.Buffer
	lr  io.LimitedReader
}

var readerPool = sync.Pool{New: func() any { return new(reader) }}

// Response is one HTTP answer, as read by Sender.
type Response struct {
	// StatusCode is the HTTP status code, for example 202.
	StatusCode int
	// Status, Message, Errors and DedupKey are the fields of PagerDuty's JSON
	// answer ("status", "message", "errors", "dedup_key"); empty when the
	// body is not PagerDuty's JSON. Status is PagerDuty's word, such as
	// "success" or "invalid event", not the HTTP status line.
	Status   string
	Message  string
	Errors   []string
	DedupKey string
	// Body is the raw answer, at most MaxBodySize bytes of it. In an error
	// answer (non-2xx) the routing key and the caller's secrets are masked
	// here and in Message and Errors, should the server echo them.
	Body string
	// Truncated reports that the answer was longer than MaxBodySize.
	Truncated bool
	// Attempts is the number of requests sent, including this one.
	Attempts int
}

// wireAnswer mirrors PagerDuty's answer: https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#response-codes--retry-logic
type wireAnswer struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	Errors   []string `json:"errors"`
	DedupKey string   `json:"dedup_key"`
}

// readResponse reads at most MaxBodySize bytes of hr's body, drains at most
// maxDrain more and closes it. A body cut short (for example by a dropped
// connection) keeps what arrived: the status has already been received and
// decides what happens next, so a 202 with a broken body is still accepted.
func readResponse(hr *http.Response) *Response {
	rd := readerPool.Get().(*reader)
	rd.buf.Reset()
	rd.lr = io.LimitedReader{R: hr.Body, N: MaxBodySize}
	_, _ = rd.buf.ReadFrom(&rd.lr)
	truncated := false
	if rd.lr.N == 0 {
		n, _ := io.CopyN(io.Discard, hr.Body, maxDrain)
		truncated = n > 0
	}
	_ = hr.Body.Close()
	rd.lr.R = nil // do not keep the body alive in the pool

	r := &Response{StatusCode: hr.StatusCode, Truncated: truncated, Body: string(rd.buf.Bytes())}
	if !parseFlat(r.Body, r) {
		parseAnswer(rd.buf.Bytes(), r)
	}
	if rd.buf.Cap() <= pooledBufSize {
		readerPool.Put(rd)
	}
	return r
}

// parseAnswer fills r from PagerDuty's JSON answer. Anything else (an HTML
// error page, a truncated body) leaves the fields empty; json.Unmarshal
// still fills the fields it could read when one has an unexpected type.
func parseAnswer(b []byte, r *Response) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return
	}
	var w wireAnswer
	_ = json.Unmarshal(b, &w)
	r.Status, r.Message, r.Errors, r.DedupKey = w.Status, w.Message, w.Errors, w.DedupKey
}

// parseFlat is the fast path for the answers PagerDuty sends on success:
// a JSON object whose values are all strings without escapes, such as
// {"status":"success","message":"Event processed","dedup_key":"srv01/HTTP"}.
// The fields become substrings of body, so nothing is allocated. It
// reports false, and leaves r alone, for any other shape; parseAnswer then
// does the general work. Keys match case-insensitively, as in encoding/json.
func parseFlat(body string, r *Response) bool {
	var w wireAnswer
	if !utf8.ValidString(body) {
		return false
	}
	s, ok := consume(skipWS(body), '{')
	if !ok {
		return false
	}
	if s, ok = consume(s, '}'); ok {
		return s == ""
	}
	for {
		key, rest, ok := plainString(s)
		if !ok {
			return false
		}
		if rest, ok = consume(rest, ':'); !ok {
			return false
		}
		val, rest, ok := plainString(rest)
		if !ok {
			return false
		}
		switch {
		case strings.EqualFold(key, "status"):
			w.Status = val
		case strings.EqualFold(key, "message"):
			w.Message = val
		case strings.EqualFold(key, "dedup_key"):
			w.DedupKey = val
		}
		if s, ok = consume(rest, ','); ok {
			continue
		}
		if s, ok = consume(rest, '}'); !ok || s != "" {
			return false
		}
		r.Status, r.Message, r.DedupKey = w.Status, w.Message, w.DedupKey
		return true
	}
}

// plainString reads a JSON string without escapes or control characters at
// the start of s, and skips the white space after it.
func plainString(s string) (val, rest string, ok bool) {
	if s == "" || s[0] != '"' {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[1:i], skipWS(s[i+1:]), true
		case c == '\\' || c < 0x20:
			return "", "", false
		}
	}
	return "", "", false
}

// consume skips c at the start of s, and the white space after it.
func consume(s string, c byte) (string, bool) {
	if s == "" || s[0] != c {
		return s, false
	}
	return skipWS(s[1:]), true
}

// skipWS skips JSON white space.
func skipWS(s string) string {
	return strings.TrimLeft(s, " \t\r\n")
}
