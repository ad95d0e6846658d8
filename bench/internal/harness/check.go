package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// scanDedupKey finds the dedup key in a body without decoding it, for the
// answer of a deferred Receiver; a body it cannot read gets "" and fails
// the check in Stats.
func scanDedupKey(body []byte) string {
	const field = `"dedup_key":"`
	i := bytes.Index(body, []byte(field))
	if i < 0 {
		return ""
	}
	rest := body[i+len(field):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return ""
	}
	return string(rest[:j])
}

// checkRequest checks what PagerDuty checks besides the body.
func checkRequest(req *http.Request) error {
	if req.Method != http.MethodPost || req.URL.Path != "/v2/enqueue" {
		return fmt.Errorf("%s %s: want POST /v2/enqueue", req.Method, req.URL.Path)
	}
	if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("Content-Type is %q, want application/json", ct)
	}
	return nil
}

// checkBody decodes and checks one event as PagerDuty documents it:
// https://developer.pagerduty.com/docs/events-api-v2/trigger-events/.
func checkBody(body []byte, ev *wireEvent) error {
	if len(body) > maxBody {
		return fmt.Errorf("body over %d bytes", maxBody)
	}
	if err := json.Unmarshal(body, ev); err != nil {
		return fmt.Errorf("body is not a JSON event: %v", err)
	}
	if ev.RoutingKey != RoutingKey {
		return errors.New("routing_key is not the benchmark's 32-character key")
	}
	if ev.DedupKey == "" || len(ev.DedupKey) > 255 {
		return fmt.Errorf("dedup_key has %d characters, want 1 to 255", len(ev.DedupKey))
	}
	switch ev.EventAction {
	case "resolve":
		return nil
	case "trigger":
	default:
		return fmt.Errorf("event_action %q, want trigger or resolve", ev.EventAction)
	}
	p := ev.Payload
	switch {
	case p == nil:
		return errors.New("trigger without payload")
	case strings.TrimSpace(p.Summary) == "" || strings.TrimSpace(p.Source) == "":
		return errors.New("trigger without payload.summary or payload.source")
	case p.Severity != "critical" && p.Severity != "error" && p.Severity != "warning" && p.Severity != "info":
		return fmt.Errorf("payload.severity %q is not critical, error, warning or info", p.Severity)
	}
	if _, err := time.Parse(time.RFC3339Nano, p.Timestamp); p.Timestamp != "" && err != nil {
		return fmt.Errorf("payload.timestamp %q is not RFC 3339", p.Timestamp)
	}
	return nil
}

// Check compares what was received with what was expected.
func (s Stats) Check(want Expect) error {
	var errs []error
	if s.Requests != want.Events || s.Valid != want.Events {
		errs = append(errs, fmt.Errorf("receiver got %d requests, %d valid; want %d valid", s.Requests, s.Valid, want.Events))
	}
	if s.Triggers != want.Triggers || s.Resolves != want.Resolves {
		errs = append(errs, fmt.Errorf("receiver got %d triggers and %d resolves; want %d and %d", s.Triggers, s.Resolves, want.Triggers, want.Resolves))
	}
	if s.Keys != want.Keys {
		errs = append(errs, fmt.Errorf("receiver got %d distinct dedup keys; want %d", s.Keys, want.Keys))
	}
	if s.OutOfOrder > 0 {
		errs = append(errs, fmt.Errorf("%d resolves arrived before their trigger", s.OutOfOrder))
	}
	if len(s.Problems) > 0 {
		errs = append(errs, fmt.Errorf("first problems: %s", strings.Join(s.Problems, "; ")))
	}
	return errors.Join(errs...)
}
