package e2e

// A client of the fluxpd emulator's inspection and scripting API
// (internal/emulator/inspect.go), for the scenarios.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Emulator reads and scripts the fluxpd emulator at URL, saving every
// answer it reads in Answers (when not nil).
type Emulator struct {
	URL     string // base URL, such as http://127.0.0.1:8787
	Client  *http.Client
	Answers *Answers
}

// Request is a request as GET /_emulator/requests?raw=1 serves it: what
// the emulator made of it, and its body as received with the routing key
// masked (RoutingKey is masked too).
type Request struct {
	ID          int       `json:"id"`
	Time        time.Time `json:"time"`
	Path        string    `json:"path"`
	Status      int       `json:"status"`
	Verdict     string    `json:"verdict"`
	Errors      []string  `json:"errors"`
	Reason      string    `json:"reason"`
	RoutingKey  string    `json:"routing_key"`
	Action      string    `json:"action"`
	DedupKey    string    `json:"dedup_key"`
	Source      string    `json:"source"`
	RawBody     string    `json:"raw_body"`
	RawBodyNote string    `json:"raw_body_note"`
}

// Event is the part of an Events API v2 body the scenarios check.
type Event struct {
	RoutingKey  string   `json:"routing_key"` // masked
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key"`
	Client      string   `json:"client"`
	ClientURL   string   `json:"client_url"`
	Payload     *Payload `json:"payload"`
}

// Payload is an event's payload.
type Payload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp"`
	Component     string         `json:"component"`
	Group         string         `json:"group"`
	Class         string         `json:"class"`
	CustomDetails map[string]any `json:"custom_details"`
}

// Event decodes the request's body.
func (r Request) Event() (Event, error) {
	var ev Event
	if r.RawBody == "" {
		return ev, fmt.Errorf("request #%d has no body to show: %s", r.ID, r.RawBodyNote)
	}
	if err := json.Unmarshal([]byte(r.RawBody), &ev); err != nil {
		return ev, fmt.Errorf("request #%d: body: %v: %s", r.ID, err, r.RawBody)
	}
	return ev, nil
}

// After returns the requests of reqs numbered after id.
func After(reqs []Request, id int) []Request {
	var out []Request
	for _, r := range reqs {
		if r.ID > id {
			out = append(out, r)
		}
	}
	return out
}

// LastID returns the highest request number of reqs, 0 for none.
func LastID(reqs []Request) int {
	last := 0
	for _, r := range reqs {
		last = max(last, r.ID)
	}
	return last
}

// Requests returns every request the emulator recorded, with raw bodies.
func (e Emulator) Requests() ([]Request, error) {
	var reqs []Request
	err := e.get("/_emulator/requests?raw=1", &reqs)
	return reqs, err
}

// Alerts returns every alert of the emulator.
func (e Emulator) Alerts() ([]Alert, error) {
	var as []Alert
	err := e.get("/_emulator/alerts", &as)
	return as, err
}

// StartOutage makes the emulator answer 503 to every event for d.
func (e Emulator) StartOutage(d time.Duration) error {
	return e.send(http.MethodPost, "/_emulator/outage", fmt.Sprintf(`{"for":%q}`, d.String()))
}

// EndOutage ends the outage.
func (e Emulator) EndOutage() error {
	return e.send(http.MethodDelete, "/_emulator/outage", "")
}

// RefuseKey makes the emulator answer every event carrying routing key key
// as PagerDuty answers an integration key it does not know: 400, "Invalid
// routing key".
func (e Emulator) RefuseKey(key string) error {
	b, err := json.Marshal(map[string]string{"refuse_routing_key": key})
	if err != nil {
		return err
	}
	return e.send(http.MethodPost, "/_emulator/faults", string(b))
}

func (e Emulator) get(path string, v any) error {
	code, b, err := e.do(http.MethodGet, path, "")
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET %s: %d: %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %v: %s", path, err, b)
	}
	return nil
}

func (e Emulator) send(method, path, body string) error {
	code, b, err := e.do(method, path, body)
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return fmt.Errorf("%s %s: %d: %s", method, path, code, b)
	}
	return nil
}

func (e Emulator) do(method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, strings.TrimSuffix(e.URL, "/")+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.Answers.Do(e.Client, req)
}
