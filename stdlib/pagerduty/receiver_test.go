package pagerduty_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// PagerDuty's answers, from its Events API v2 documentation.
const (
	acceptedBody = `{"status":"success","message":"Event processed","dedup_key":"srv01/HTTP"}`
	invalidBody  = `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.source' is missing or blank"]}`
)

// reply is one scripted answer of a receiver.
type reply struct {
	status int
	body   string
	header map[string]string
	// delay holds the answer back, or until the client gives up.
	delay time.Duration
}

var accepted = reply{status: http.StatusAccepted, body: acceptedBody}

// request is what a receiver recorded of one request.
type request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// receiver is a stand-in for PagerDuty's Events API: an httptest server on
// 127.0.0.1 that records every request and answers with scripted replies,
// the last one repeating.
type receiver struct {
	// URL is the server's /v2/enqueue URL.
	URL string

	t       *testing.T
	mu      sync.Mutex
	replies []reply
	reqs    []request
}

// newReceiver starts a receiver answering replies in order, 202 if none;
// the server is closed when the test ends.
func newReceiver(t *testing.T, replies ...reply) *receiver {
	t.Helper()
	if len(replies) == 0 {
		replies = []reply{accepted}
	}
	rcv := &receiver{t: t, replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(rcv.serve))
	t.Cleanup(srv.Close)
	rcv.URL = srv.URL + "/v2/enqueue"
	return rcv
}

func (rcv *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rcv.t.Errorf("receiver: reading the request body: %v", err)
	}
	rcv.mu.Lock()
	rcv.reqs = append(rcv.reqs, request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body),
	})
	rep := rcv.replies[0]
	if len(rcv.replies) > 1 {
		rcv.replies = rcv.replies[1:]
	}
	rcv.mu.Unlock()

	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

// requests returns a copy of the requests received so far.
func (rcv *receiver) requests() []request {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	return append([]request(nil), rcv.reqs...)
}

// closedURL returns the /v2/enqueue URL of a server that is no longer
// listening, so that connecting to it fails at once.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL + "/v2/enqueue"
}
