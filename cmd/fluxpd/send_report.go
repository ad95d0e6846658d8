package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// kindChange names a change event where send takes an event action.
const kindChange = "change"

// send builds one event, sends it and prints PagerDuty's answer and what
// PagerDuty does with the event. kind is event.Trigger, event.Resolve or
// kindChange. It returns an error only when the event could not be built:
// an event sent but not accepted is counted, for verdict.
func (s *testSend) send(ctx context.Context, kind string, build func() (any, event.Notice, error)) error {
	what := testWhat(kind)
	ev, notice, err := build()
	if err == nil {
		var body []byte
		if body, err = event.Encode(ev); err == nil {
			return s.post(ctx, what, kind, body, notice)
		}
	}
	return fmt.Errorf("cannot send the %s: %w", what, s.buildErr(err))
}

// buildErr names the source of the routing key in an error of event.Build:
// after the flags have been checked, the key is what it is about.
func (s *testSend) buildErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w (the routing key was read from %s)", err, s.key.from)
}

// testWhat names the test event of a kind: "test trigger", "test change event".
func testWhat(kind string) string {
	if kind == kindChange {
		return "test change event"
	}
	return "test " + kind
}

// post sends body and reports the answer.
func (s *testSend) post(ctx context.Context, what, kind string, body []byte, notice event.Notice) error {
	where := ""
	if !s.f.live {
		where = ", where the built-in emulator stands in for PagerDuty"
	}
	if s.sent > 0 {
		fmt.Fprintln(s.out)
	}
	fmt.Fprintf(s.out, "Sending a %s to %s%s\n", what, redact.URL(s.f.url), where)
	for _, n := range notice.Messages() {
		fmt.Fprintf(s.out, "  note:      %s\n", n)
	}
	if kind != kindChange {
		generated := ""
		if s.generated && s.sent == 0 {
			generated = " (generated; --dedup-key chooses one)"
		}
		fmt.Fprintf(s.out, "  dedup key: %s%s\n", s.f.dedupKey, generated)
	}
	s.sent++
	r := s.host.Send(ctx, s.sender, host.Message{
		Function: "send", URL: s.f.url, Body: body, RoutingKey: s.key.value, DedupKey: s.f.dedupKey, Action: kind,
	})
	resp, err := r.Response, r.Err
	if err == nil {
		s.accepted++
	}
	s.printAnswer(resp, err)
	fmt.Fprintf(s.out, "  outcome:   %s\n", s.outcome(kind, resp, err))
	return nil
}

// printAnswer prints PagerDuty's answer: status, its JSON's status,
// message, errors and dedup key, and the attempts it took. Everything in
// resp and err is masked already.
func (s *testSend) printAnswer(resp *delivery.Response, err error) {
	var derr *delivery.Error
	if resp == nil {
		n := 0
		if errors.As(err, &derr) {
			n = derr.Attempts
		}
		fmt.Fprintf(s.out, "  answer:    none after %s\n", attempts(n))
		return
	}
	line := fmt.Sprintf("%d %s after %s", resp.StatusCode, http.StatusText(resp.StatusCode), attempts(resp.Attempts))
	status := answerStatus(resp.Body)
	if status != "" {
		line += fmt.Sprintf(": status %q", status)
	}
	if resp.Message != "" {
		line += fmt.Sprintf(", message %q", resp.Message)
	}
	if status == "" && resp.Message == "" && resp.Body != "" {
		line += ", not PagerDuty's JSON: " + event.Quote(resp.Body)
	}
	fmt.Fprintf(s.out, "  answer:    %s\n", line)
	for _, e := range resp.Errors {
		fmt.Fprintf(s.out, "  error:     %s\n", e)
	}
	if resp.DedupKey != "" && resp.DedupKey != s.f.dedupKey {
		fmt.Fprintf(s.out, "  PagerDuty answered with the dedup key %s\n", resp.DedupKey)
	}
}

// outcome says what PagerDuty does with the event, given its answer.
func (s *testSend) outcome(kind string, resp *delivery.Response, err error) string {
	if err == nil {
		key := s.f.dedupKey
		if resp.DedupKey != "" {
			key = resp.DedupKey
		}
		switch kind {
		case event.Trigger:
			return fmt.Sprintf("accepted: PagerDuty opened or updated the alert with dedup key %s", event.Quote(key))
		case event.Resolve:
			return fmt.Sprintf("accepted: PagerDuty resolved the alert with dedup key %s (if it was open; PagerDuty drops a resolve that finds no open alert, yet answers 202)", event.Quote(key))
		}
		return "accepted: PagerDuty recorded a change event (change events open no incident)"
	}
	var derr *delivery.Error
	if errors.As(err, &derr) && derr.Kind == delivery.KindHTTP {
		if derr.Temporary() {
			return "not accepted: PagerDuty could not take the event now; try again later"
		}
		return "not accepted: PagerDuty refused the event and would refuse it again; see its answer above"
	}
	return "not accepted: " + err.Error()
}

// answerStatus returns the "status" field of PagerDuty's JSON answer, such
// as "success" or "invalid event", or "".
func answerStatus(body string) string {
	var a struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal([]byte(body), &a)
	return a.Status
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
