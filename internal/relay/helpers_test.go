package relay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/relay"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// Fake routing keys: 32 characters, as PagerDuty's.
const (
	keyA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	keyB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	keyC = "cccccccccccccccccccccccccccccccc"
)

// fastRetry is a redelivery backoff measured in milliseconds.
var fastRetry = host.Retry{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}

// logBuffer collects a relay's log, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testRelay is a relay on 127.0.0.1 in front of an emulator.
type testRelay struct {
	*relay.Server
	emu  *emulator.Server
	log  *logBuffer
	path string
}

// start starts a relay with opts, its zero fields set for a test: a free
// port, a fresh outbox, the emulator upstream (a new one unless given),
// pacing off, a backoff in milliseconds, group commit. The relay is
// closed when the test ends.
func start(t *testing.T, opts relay.Options, emu ...*emulator.Server) *testRelay {
	t.Helper()
	tr := &testRelay{log: &logBuffer{}}
	if len(emu) > 0 {
		tr.emu = emu[0]
	} else {
		tr.emu = emulatortest.New(t)
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.OutboxPath == "" {
		opts.OutboxPath = filepath.Join(t.TempDir(), "relay.db")
	}
	if opts.Upstream == "" {
		opts.Upstream = tr.emu.URL()
	}
	if opts.Rate == "" {
		opts.Rate = relay.RateOff
	}
	if opts.Retry == (host.Retry{}) {
		opts.Retry = fastRetry
	}
	if opts.FlushInterval == 0 {
		opts.FlushInterval = 20 * time.Millisecond
	}
	opts.GroupCommit = true
	opts.Log = tr.log
	s, err := relay.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("relay.Start: %v", err)
	}
	tr.Server, tr.path = s, opts.OutboxPath
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("closing the relay: %v", err)
		}
		if t.Failed() {
			t.Logf("relay log:\n%s", tr.log.String())
		}
	})
	return tr
}

// answer is a relay's (or PagerDuty's) answer to an events request.
type answer struct {
	Code     int      `json:"-"`
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

// client talks to 127.0.0.1 only: no proxy, no redirects.
var client = &http.Client{
	Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// post posts body to the relay's path and returns its answer.
func post(t testing.TB, base, path string, body []byte) answer {
	t.Helper()
	a, err := tryPost(base, path, body)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return a
}

// tryPost is post that returns its error.
func tryPost(base, path string, body []byte) (answer, error) {
	res, err := client.Post(base+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{Code: res.StatusCode}
	if err := json.Unmarshal(data, &a); err != nil {
		return a, fmt.Errorf("%d with a body that is not JSON: %q", res.StatusCode, data)
	}
	return a, nil
}

// trigger is a valid trigger for key and dedup key (none when ""), its
// summary saying seq.
func trigger(key, dedupKey string, seq int) []byte {
	dk := ""
	if dedupKey != "" {
		dk = fmt.Sprintf(`"dedup_key":%q,`, dedupKey)
	}
	return fmt.Appendf(nil, `{"routing_key":%q,"event_action":"trigger",%s"payload":{"summary":"seq %d","source":"db01.example.com","severity":"critical"}}`, key, dk, seq)
}

// resolve is a valid resolve for key and dedup key.
func resolve(key, dedupKey string) []byte {
	return fmt.Appendf(nil, `{"routing_key":%q,"event_action":"resolve","dedup_key":%q}`, key, dedupKey)
}

// received returns the emulator's requests that it accepted (202).
func received(emu *emulator.Server) []emulator.Request {
	var out []emulator.Request
	for _, r := range emu.Requests() {
		if r.Status == http.StatusAccepted {
			out = append(out, r)
		}
	}
	return out
}

// waitReceived waits until the emulator has accepted n events.
func waitReceived(t *testing.T, emu *emulator.Server, n int) []emulator.Request {
	t.Helper()
	var got []emulator.Request
	testwait.Until(t, fmt.Sprintf("the emulator to accept %d events", n), func() (bool, string) {
		got = received(emu)
		return len(got) >= n, fmt.Sprintf("%d accepted, %d requests in all", len(got), len(emu.Requests()))
	})
	return got
}

// waitStats waits until the relay's outbox satisfies cond.
func waitStats(t *testing.T, path string, what string, cond func(pending, dead int) bool) {
	t.Helper()
	testwait.Until(t, what, func() (bool, string) {
		ob, err := outbox.Open(path, outbox.Options{})
		if err != nil {
			return false, err.Error()
		}
		defer ob.Close()
		p, d, err := ob.Count()
		if err != nil {
			return false, err.Error()
		}
		return cond(p, d), fmt.Sprintf("%d pending, %d dead letters", p, d)
	})
}

// get fetches a page of the relay.
func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	res, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return res.StatusCode, res.Header, string(b)
}

// summaryOf returns the payload summary of an emulator request.
func summaryOf(r emulator.Request) string { return r.Summary }

// seqOf reads the sequence number of a trigger's "seq N" summary, -1 when
// none.
func seqOf(r emulator.Request) int {
	var n int
	if _, err := fmt.Sscanf(strings.TrimSpace(r.Summary), "seq %d", &n); err != nil {
		return -1
	}
	return n
}

// testwaitLimit is an outage long enough to outlast any wait of a test.
func testwaitLimit() time.Duration { return 2 * testwait.Limit() }

// readAll reads a request's body.
func readAll(r *http.Request) ([]byte, error) {
	defer r.Body.Close()
	return io.ReadAll(r.Body)
}

// nopBody is a request body holding data.
func nopBody(data []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(data)) }
