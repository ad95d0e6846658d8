package contract_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fluxpd/fluxpd/internal/contract"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/event"
)

// sizeCase is the body size from which a case is a size case, which must be
// written exactly as the sender encodes it (see testdata/events.txt).
const sizeCase = 100000

// TestEvents_Agreement holds the sender (internal/event) and the emulator
// (internal/emulator) to every case of testdata/events.txt: the emulator
// judges the body as written, the sender judges the same fields, and the
// emulator judges what the sender would send.
//
// Failures name the case and show both sides' errors, never a body: the
// emulator's and the sender's messages never show the routing key.
func TestEvents_Agreement(t *testing.T) {
	cases, err := contract.Events()
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.New(t)
	for _, c := range cases {
		t.Run(fmt.Sprintf("line %d %s", c.Line, c.Name), func(t *testing.T) {
			url := srv.EventsURL()
			if c.Kind == contract.KindChange {
				url = srv.ChangeURL()
			}

			// The emulator, on the body as written.
			status, errs := post(t, url, c.Body)
			switch want := c.Verdict == contract.Valid; {
			case want && status != http.StatusAccepted:
				t.Errorf("emulator: POST as written = %d %q, want 202 (%s)", status, errs, c.Verdict)
			case !want && status != http.StatusBadRequest:
				t.Errorf("emulator: POST as written = %d, want 400 (%s)", status, c.Verdict)
			}

			// The sender, on the same fields.
			s, err := send(c)
			if errors.Is(err, errInexpressible) {
				t.Fatalf("the case cannot be given to the sender (leave such cases out of events.txt): %v", err)
			}
			if c.Verdict == contract.Invalid {
				if err == nil {
					t.Errorf("sender: built and encoded the event, want it refused (the emulator answered %d %q)", status, errs)
				}
				return
			}
			if err != nil {
				t.Fatalf("sender: %v; want the event sent (%s)", err, c.Verdict)
			}

			// The emulator, on what the sender sends.
			if status, errs := post(t, url, s.body); status != http.StatusAccepted {
				t.Errorf("emulator: POST of the sender's body = %d %q, want 202", status, errs)
			}

			repaired, err := repairs(c, s)
			if err != nil {
				t.Errorf("sender: %v", err)
			}
			if c.Verdict == contract.Fixed && len(repaired) == 0 && err == nil {
				t.Errorf("sender: sent the fields unrepaired, want a repair (lower-cased action or severity, cut summary, empty timestamp left out, payload left out)")
			}
		})
	}
}

// post sends body to url and returns the status and, for a 400, the
// emulator's list of errors.
func post(t *testing.T, url string, body []byte) (int, []string) {
	t.Helper()
	res, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST to the emulator: %v", err)
	}
	defer res.Body.Close()
	var answer struct {
		Errors []string `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		t.Fatalf("POST to the emulator: %d with an unreadable body: %v", res.StatusCode, err)
	}
	return res.StatusCode, answer.Errors
}

// client talks to the emulator on 127.0.0.1 only: no proxy, no redirects.
var client = &http.Client{
	Transport:     &http.Transport{Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// sent is what the sender made of a case.
type sent struct {
	built  any // *event.Event or *event.ChangeEvent
	notice event.Notice
	body   []byte // Encode's output
}

// errInexpressible is wrapped by send's error when a case's body cannot be
// given to the sender as event.Input or event.ChangeInput.
var errInexpressible = errors.New("not expressible as the sender's input")

// send gives the fields of c's body to Build or BuildChange, then Encode.
func send(c contract.Event) (sent, error) {
	var s sent
	var err error
	if c.Kind == contract.KindChange {
		var in event.ChangeInput
		if in, err = changeInput(c.Body); err != nil {
			return s, err
		}
		var ev *event.ChangeEvent
		if ev, s.notice, err = event.BuildChange(in); err != nil {
			return s, fmt.Errorf("BuildChange: %w", err)
		}
		s.built = ev
	} else {
		var in event.Input
		if in, err = alertInput(c.Body); err != nil {
			return s, err
		}
		var ev *event.Event
		if ev, s.notice, err = event.Build(in); err != nil {
			return s, fmt.Errorf("build: %w", err)
		}
		s.built = ev
	}
	if len(c.Body) > sizeCase {
		// Both sides must measure the same bytes, whatever the verdict.
		if n := encodedLen(s.built); n != len(c.Body) {
			return s, fmt.Errorf("%w: size case of %d bytes, which the sender encodes in %d: write it as the sender encodes it", errInexpressible, len(c.Body), n)
		}
	}
	if s.body, err = event.Encode(s.built); err != nil {
		return s, fmt.Errorf("encode: %w", err)
	}
	return s, nil
}

// encodedLen is the length of v encoded the way event.Encode encodes it,
// before its size check.
func encodedLen(v any) int {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return -1
	}
	return buf.Len() - 1 // Encode's newline
}

// The wire fields, as the contract names them; the sender's input has one
// field for each.
type (
	wireAlert struct {
		RoutingKey  string       `json:"routing_key"`
		EventAction string       `json:"event_action"`
		DedupKey    string       `json:"dedup_key"`
		Client      string       `json:"client"`
		ClientURL   string       `json:"client_url"`
		Payload     *wirePayload `json:"payload"`
		Images      []wireImage  `json:"images"`
		Links       []wireLink   `json:"links"`
	}
	wirePayload struct {
		Summary       string          `json:"summary"`
		Source        string          `json:"source"`
		Severity      string          `json:"severity"`
		Timestamp     *string         `json:"timestamp"`
		Component     string          `json:"component"`
		Group         string          `json:"group"`
		Class         string          `json:"class"`
		CustomDetails json.RawMessage `json:"custom_details"`
	}
	wireChange struct {
		RoutingKey string             `json:"routing_key"`
		Payload    *wireChangePayload `json:"payload"`
		Links      []wireLink         `json:"links"`
	}
	wireChangePayload struct {
		Summary       string          `json:"summary"`
		Source        string          `json:"source"`
		Timestamp     *string         `json:"timestamp"`
		CustomDetails json.RawMessage `json:"custom_details"`
	}
	wireImage struct {
		Src  string `json:"src"`
		Href string `json:"href"`
		Alt  string `json:"alt"`
	}
	wireLink struct {
		Href string `json:"href"`
		Text string `json:"text"`
	}
)

// decodeWire decodes body into v, refusing fields v does not have and
// values of the wrong type: the sender's input could not hold them.
func decodeWire(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", errInexpressible, err)
	}
	return nil
}

// alertInput fills an event.Input from an alert event's body, as a caller
// of pagerduty.sendEvent with the same fields would (a missing or null
// field reads as empty, like stdlib/pagerduty's readEvent).
func alertInput(body []byte) (event.Input, error) {
	var w wireAlert
	if err := decodeWire(body, &w); err != nil {
		return event.Input{}, err
	}
	in := event.Input{
		RoutingKey: w.RoutingKey, EventAction: w.EventAction, DedupKey: w.DedupKey,
		Client: w.Client, ClientURL: w.ClientURL,
	}
	if p := w.Payload; p != nil {
		in.Summary, in.Source, in.Severity = p.Summary, p.Source, p.Severity
		in.Component, in.Group, in.Class = p.Component, p.Group, p.Class
		in.Timestamp = timestamp(p.Timestamp)
		var err error
		if in.CustomDetails, err = details(p.CustomDetails); err != nil {
			return event.Input{}, err
		}
	}
	for _, img := range w.Images {
		in.Images = append(in.Images, event.Image{Src: img.Src, Href: img.Href, Alt: img.Alt})
	}
	in.Links = links(w.Links)
	return in, nil
}

// changeInput fills an event.ChangeInput from a change event's body.
func changeInput(body []byte) (event.ChangeInput, error) {
	var w wireChange
	if err := decodeWire(body, &w); err != nil {
		return event.ChangeInput{}, err
	}
	in := event.ChangeInput{RoutingKey: w.RoutingKey, Links: links(w.Links)}
	if p := w.Payload; p != nil {
		in.Summary, in.Source = p.Summary, p.Source
		in.Timestamp = timestamp(p.Timestamp)
		var err error
		if in.CustomDetails, err = details(p.CustomDetails); err != nil {
			return event.ChangeInput{}, err
		}
	}
	return in, nil
}

func timestamp(s *string) event.Timestamp {
	if s == nil {
		return event.Timestamp{}
	}
	return event.TimestampString(*s)
}

func links(ws []wireLink) []event.Link {
	var out []event.Link
	for _, l := range ws {
		out = append(out, event.Link{Href: l.Href, Text: l.Text})
	}
	return out
}

// details turns a custom_details object into event.Details, keys in the
// order written.
func details(raw json.RawMessage) (event.Details, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := detailValue(dec)
	if err != nil {
		return nil, fmt.Errorf("%w: custom_details: %v", errInexpressible, err)
	}
	d, ok := v.(event.Details)
	if !ok {
		return nil, fmt.Errorf("%w: custom_details is not an object", errInexpressible)
	}
	return d, nil
}

// detailValue reads the next JSON value as a custom detail value: nil,
// string, bool, int64, uint64, float64, []any or event.Details.
func detailValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			d := event.Details{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := detailValue(dec)
				if err != nil {
					return nil, err
				}
				d = append(d, event.Field{Key: k.(string), Value: v})
			}
			_, err := dec.Token() // '}'
			return d, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := detailValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token() // ']'
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", tok)
	case json.Number:
		if i, err := tok.Int64(); err == nil {
			return i, nil
		}
		if u, err := strconv.ParseUint(tok.String(), 10, 64); err == nil {
			return u, nil
		}
		return tok.Float64()
	default: // nil, bool, string
		return tok, nil
	}
}

// repairs compares what the sender sends with the body as written and
// lists the repairs it made. Any other difference, or a Notice that does
// not match, is an error.
func repairs(c contract.Event, s sent) ([]string, error) {
	if c.Kind == contract.KindChange {
		var raw, out wireChange
		if err := decodeWire(c.Body, &raw); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(s.body, &out); err != nil {
			return nil, fmt.Errorf("Encode's output does not decode: %v", err)
		}
		if raw.Payload == nil || out.Payload == nil {
			return nil, fmt.Errorf("a change event was sent, but the body as written or as sent has no payload")
		}
		var r repairList
		r.summary(raw.Payload.Summary, out.Payload.Summary, s.notice)
		r.timestamp(raw.Payload.Timestamp, out.Payload.Timestamp)
		return r.list, errors.Join(r.errs...)
	}
	var raw, out wireAlert
	if err := decodeWire(c.Body, &raw); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(s.body, &out); err != nil {
		return nil, fmt.Errorf("Encode's output does not decode: %v", err)
	}
	var r repairList
	r.lowered("event_action", raw.EventAction, out.EventAction)
	switch {
	case raw.Payload == nil && out.Payload != nil:
		r.errorf("sent a payload the body does not have")
	case raw.Payload != nil && out.Payload == nil:
		switch {
		case out.EventAction == event.Trigger:
			r.errorf("sent a trigger without its payload")
		case len(c.Body) > event.MaxBodyBytes:
			r.add("payload left out of a %s over %d bytes", out.EventAction, event.MaxBodyBytes)
		case s.notice.PayloadOmitted == "" && raw.Payload.hasFields():
			r.errorf("left the payload out without saying why in Notice.PayloadOmitted")
		}
	case raw.Payload != nil:
		r.lowered("payload.severity", raw.Payload.Severity, out.Payload.Severity)
		r.summary(raw.Payload.Summary, out.Payload.Summary, s.notice)
		r.timestamp(raw.Payload.Timestamp, out.Payload.Timestamp)
	}
	if out.Payload == nil && s.notice.SummaryTruncated {
		r.errorf("Notice.SummaryTruncated is set, but no payload was sent")
	}
	return r.list, errors.Join(r.errs...)
}

func (p *wirePayload) hasFields() bool {
	return p.Summary != "" || p.Source != "" || p.Severity != "" || p.Timestamp != nil ||
		p.Component != "" || p.Group != "" || p.Class != "" || (len(p.CustomDetails) > 0 && string(p.CustomDetails) != "{}")
}

// repairList collects the repairs found, and the changes that are none.
type repairList struct {
	list []string
	errs []error
}

func (r *repairList) add(format string, args ...any) {
	r.list = append(r.list, fmt.Sprintf(format, args...))
}

func (r *repairList) errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

// lowered checks a vocabulary field: sent as written, or lower-cased.
func (r *repairList) lowered(field, raw, out string) {
	switch {
	case raw == out:
	case strings.ToLower(raw) == out:
		r.add("%s lower-cased", field)
	default:
		r.errorf("%s sent as %q, which is not %q lower-cased", field, out, raw)
	}
}

// summary checks that a summary is sent as written, or cut to
// MaxSummaryRunes ending in '…' and reported in the Notice.
func (r *repairList) summary(raw, out string, notice event.Notice) {
	if raw == out {
		if notice.SummaryTruncated {
			r.errorf("Notice.SummaryTruncated is set, but the summary was sent as written")
		}
		return
	}
	n := utf8.RuneCountInString(raw)
	kept, cut := strings.CutSuffix(out, "…")
	switch {
	case n <= event.MaxSummaryRunes:
		r.errorf("a summary of %d characters was changed", n)
	case utf8.RuneCountInString(out) != event.MaxSummaryRunes || !cut || !strings.HasPrefix(raw, kept):
		r.errorf("a summary of %d characters was sent as %d characters, want the first %d followed by …",
			n, utf8.RuneCountInString(out), event.MaxSummaryRunes-1)
	case !notice.SummaryTruncated:
		r.errorf("the summary was cut, but Notice.SummaryTruncated is not set")
	default:
		r.add("summary of %d characters cut to %d", n, event.MaxSummaryRunes)
	}
}

// timestamp checks that a timestamp is sent as written, or left out when
// empty.
func (r *repairList) timestamp(raw, out *string) {
	switch {
	case raw == nil && out == nil:
	case raw != nil && out != nil && *raw == *out:
	case raw != nil && *raw == "" && out == nil:
		r.add("empty timestamp left out")
	default:
		r.errorf("the timestamp was changed")
	}
}
