package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// Routing keys used by the tests: 32 characters, easy to spot if leaked.
const (
	key      = "k3yA0123456789abcdefghijklmnopQZ"
	otherKey = "k3yB0123456789abcdefghijklmnopQZ"
	keyMask  = "k3yA**************************QZ"
)

// response is the JSON body of an events endpoint answer.
type response struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

func accepted(dedupKey string) response {
	return response{Status: "success", Message: "Event processed", DedupKey: dedupKey}
}

func invalid(errs ...string) response {
	return response{Status: "invalid event", Message: "Event object is invalid", Errors: errs}
}

var unrecognized = response{Status: "Unrecognized object", Message: "Event object format is unrecognized", Errors: []string{"JSON parse error"}}

// body is a JSON event under construction.
type body map[string]any

// mod changes a body.
type mod func(body)

// set sets the field at a dotted path such as "payload.summary".
func set(path string, v any) mod {
	return func(b body) {
		parts := strings.Split(path, ".")
		m := map[string]any(b)
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		m[parts[len(parts)-1]] = v
	}
}

// del deletes the field at a dotted path.
func del(path string) mod {
	return func(b body) {
		parts := strings.Split(path, ".")
		m := map[string]any(b)
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		delete(m, parts[len(parts)-1])
	}
}

// trigger returns a valid, complete trigger with mods applied, as JSON.
func trigger(mods ...mod) string {
	b := body{
		"routing_key":  key,
		"event_action": "trigger",
		"dedup_key":    "srv01/HTTP",
		"client":       "Sample Monitoring Service",
		"client_url":   "https://monitoring.example.com",
		"payload": map[string]any{
			"summary":        "DISK at 99% on machine prod-datapipe03.example.com",
			"source":         "prod-datapipe03.example.com",
			"severity":       "critical",
			"timestamp":      "2015-07-17T08:42:58.315+0000",
			"component":      "mysql",
			"group":          "prod-datapipe",
			"class":          "disk",
			"custom_details": map[string]any{"ping time": "1500ms", "load avg": 0.75, "nested": map[string]any{"a": []any{1, "b"}}},
		},
		"images": []any{map[string]any{"src": "https://example.com/graph.png", "href": "https://example.com", "alt": "graph"}},
		"links":  []any{map[string]any{"href": "https://example.com/runbook", "text": "Runbook"}},
	}
	return encode(b, mods)
}

// change returns a valid, complete change event with mods applied, as JSON.
func change(mods ...mod) string {
	b := body{
		"routing_key": key,
		"payload": map[string]any{
			"summary":        "Build 42 deployed",
			"source":         "ci.example.com",
			"timestamp":      "2020-07-17T08:42:58Z",
			"custom_details": map[string]any{"build": 42},
		},
		"links": []any{map[string]any{"href": "https://ci.example.com/42", "text": "Build"}},
	}
	return encode(b, mods)
}

// ack and resolve return minimal acknowledge and resolve events.
func ack(routingKey, dedupKey string) string {
	return encode(body{"routing_key": routingKey, "event_action": "acknowledge", "dedup_key": dedupKey}, nil)
}

func resolve(routingKey, dedupKey string) string {
	return encode(body{"routing_key": routingKey, "event_action": "resolve", "dedup_key": dedupKey}, nil)
}

func encode(b body, mods []mod) string {
	for _, m := range mods {
		m(b)
	}
	out, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	return string(out)
}

// serve sends one request straight to the handler.
func serve(t *testing.T, e http.Handler, method, path, reqBody string) (*http.Response, response) {
	t.Helper()
	res := httptestRecorder(e, method, path, reqBody).Result()
	var got response
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatalf("%s %s: response is not JSON: %v", method, path, err)
	}
	return res, got
}

func httptestRecorder(e http.Handler, method, path, reqBody string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(reqBody)))
	return rec
}

// post sends a body over HTTP and returns the status and the raw body.
func post(t *testing.T, url, reqBody string) (int, string) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(reqBody))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("POST %s: reading the body: %v", url, err)
	}
	return res.StatusCode, string(b)
}

// get fetches a URL and returns its body.
func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %s", url, res.StatusCode, b)
	}
	return string(b)
}

// clock is a fake clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is a strings.Builder safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// verdicts lists the verdicts of the recorded requests.
func verdicts(e *emulator.Emulator) []emulator.Verdict {
	var out []emulator.Verdict
	for _, r := range e.Requests() {
		out = append(out, r.Verdict)
	}
	return out
}
