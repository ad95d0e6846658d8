package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Fault is a canned answer for one request to an events endpoint. Faults
// are queued with Inject or POST /_emulator/faults and consumed first in,
// first out, one per request. A request answered by a fault changes no
// alert and is recorded with VerdictFault.
//
// In JSON a Fault reads
//
//	{"status":503,"body":"...","header":{"Retry-After":"1"},"delay":"50ms","drop":false,"drop_mid_response":false,"drop_after":0}
//
// with every field optional and delay a Go duration string.
//
// Drop, DropMidResponse and DropAfter take over the TCP connection (http.Hijacker).
// Where that is impossible, as with an httptest.ResponseRecorder or
// HTTP/2, the handler panics with http.ErrAbortHandler, which net/http
// turns into an aborted response.
type Fault struct {
	// Status is the HTTP status answered; 0 (or anything outside
	// 200-599) means 500.
	Status int
	// Body is the response body; empty means a small JSON error body.
	Body string
	// Header holds extra response headers, such as Retry-After.
	Header map[string]string
	// Delay is waited before answering, on top of the latency.
	Delay time.Duration
	// Drop closes the connection without any response.
	Drop bool
	// DropMidResponse sends the status line, the headers (announcing the
	// full Content-Length) and half the body, then closes the connection.
	DropMidResponse bool
	// DropAfter, if positive, sends the first DropAfter bytes of the
	// response (status line, headers announcing the full Content-Length,
	// body), then closes the connection: 11 cuts "HTTP/1.1 500 ..." inside
	// the status line.
	DropAfter int
}

type faultJSON struct {
	Status          int               `json:"status,omitempty"`
	Body            string            `json:"body,omitempty"`
	Header          map[string]string `json:"header,omitempty"`
	Delay           string            `json:"delay,omitempty"`
	Drop            bool              `json:"drop,omitempty"`
	DropMidResponse bool              `json:"drop_mid_response,omitempty"`
	DropAfter       int               `json:"drop_after,omitempty"`
}

// MarshalJSON encodes f with Delay as a duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{f.Status, f.Body, f.Header, "", f.Drop, f.DropMidResponse, f.DropAfter}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes f, refusing unknown fields and invalid values so
// that a typo in a test script is not silently ignored.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	var delay time.Duration
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("fault delay: %w", err)
		}
		delay = d
	}
	*f = Fault{j.Status, j.Body, j.Header, delay, j.Drop, j.DropMidResponse, j.DropAfter}
	return f.validate()
}

func (f Fault) validate() error {
	switch {
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return fmt.Errorf("fault status must be between 200 and 599, was %d", f.Status)
	case f.Delay < 0:
		return fmt.Errorf("fault delay must not be negative, was %s", f.Delay)
	case f.DropAfter < 0:
		return fmt.Errorf("fault drop_after must not be negative, was %d", f.DropAfter)
	case f.Drop && f.DropMidResponse, f.Drop && f.DropAfter > 0, f.DropMidResponse && f.DropAfter > 0:
		return errors.New("fault drop, drop_mid_response and drop_after are exclusive")
	}
	return nil
}

func (f Fault) status() int {
	if f.Status < 200 || f.Status > 599 {
		return http.StatusInternalServerError
	}
	return f.Status
}

func (f Fault) body() string {
	if f.Body != "" {
		return f.Body
	}
	s := f.status()
	b, _ := json.Marshal(map[string]string{
		"status":  "error",
		"message": fmt.Sprintf("Injected fault: %d %s", s, http.StatusText(s)),
	})
	return string(b)
}

// describe says in a few words what the fault answered, for Request.Reason.
func (f Fault) describe() string {
	switch {
	case f.Drop:
		return "injected fault: connection dropped without a response"
	case f.DropMidResponse:
		return fmt.Sprintf("injected fault: connection dropped in the middle of a %d response", f.status())
	case f.DropAfter > 0:
		return fmt.Sprintf("injected fault: connection dropped after %d bytes of a %d response", f.DropAfter, f.status())
	}
	return fmt.Sprintf("injected fault: %d", f.status())
}

// write answers w with the fault.
func (f Fault) write(w http.ResponseWriter) {
	switch {
	case f.Drop:
		hijackAndClose(w, nil)
	case f.DropMidResponse:
		hijackAndClose(w, f.partialResponse(len(f.body())/2))
	case f.DropAfter > 0:
		raw := f.partialResponse(len(f.body()))
		hijackAndClose(w, raw[:min(f.DropAfter, len(raw))])
	default:
		h := w.Header()
		h.Set("Content-Type", "application/json")
		for k, v := range f.Header {
			h.Set(k, v)
		}
		w.WriteHeader(f.status())
		_, _ = io.WriteString(w, f.body()) // no copy of a large body
	}
}

// partialResponse is an HTTP/1.1 response with only the first n bytes of
// its body.
func (f Fault) partialResponse(n int) []byte {
	body := f.body()
	var b bytes.Buffer
	s := f.status()
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", s, http.StatusText(s))
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range f.Header {
		h.Set(k, v)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_ = h.Write(&b)
	b.WriteString("\r\n")
	b.WriteString(body[:n])
	return b.Bytes()
}

// hijackAndClose takes over the connection, writes raw and closes it. When
// the connection cannot be taken over (HTTP/2, a ResponseRecorder), it
// aborts the handler, which makes net/http drop the stream.
func hijackAndClose(w http.ResponseWriter, raw []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if len(raw) > 0 {
		_, _ = conn.Write(raw)
	}
	_ = conn.Close()
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
