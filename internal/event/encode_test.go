package event_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/event"
)

// fullInput is a trigger with every field set, as in PagerDuty's example.
func fullInput() event.Input {
	return event.Input{
		RoutingKey: routingKey, EventAction: "Trigger", DedupKey: "srv01/HTTP",
		Client: "Sample Monitoring Service", ClientURL: "https://monitoring.example.com/?a=1&b=2",
		Summary: "DISK at 99% on <prod-datapipe03> & friends", Source: "prod-datapipe03.example.com", Severity: "CRITICAL",
		Timestamp: event.TimestampAt(time.Date(2015, 7, 17, 10, 42, 58, 315_000_000, time.FixedZone("CEST", 2*3600))),
		Component: "mysql", Group: "prod-datapipe", Class: "disk",
		CustomDetails: event.Details{
			{Key: "ping time", Value: "1500ms"},
			{Key: "load avg", Value: 0.75},
			{Key: "free", Value: event.Details{{Key: "bytes", Value: uint64(1 << 40)}, {Key: "inodes", Value: int64(-1)}}},
			{Key: "disks", Value: []any{"sda", "sdb"}},
			{Key: "ok", Value: false},
		},
		Links:  []event.Link{{Href: "https://example.com/runbook", Text: "Runbook"}},
		Images: []event.Image{{Src: "https://example.com/graph.png", Href: "https://example.com", Alt: "graph"}},
	}
}

// fullPayload is the payload of fullInput as sent.
var fullPayload = map[string]any{
	"summary": "DISK at 99% on <prod-datapipe03> & friends", "source": "prod-datapipe03.example.com", "severity": "critical",
	"timestamp": "2015-07-17T08:42:58.315Z", "component": "mysql", "group": "prod-datapipe", "class": "disk",
	"custom_details": map[string]any{
		"ping time": "1500ms", "load avg": json.Number("0.75"),
		"free":  map[string]any{"bytes": json.Number("1099511627776"), "inodes": json.Number("-1")},
		"disks": []any{"sda", "sdb"}, "ok": false,
	},
}

// encode builds and encodes in, failing the test on error.
func encode(t *testing.T, in event.Input) []byte {
	t.Helper()
	ev, _, err := event.Build(in)
	if err != nil {
		t.Fatalf("Build() error = %v", err)
	}
	body, err := event.Encode(ev)
	if err != nil {
		t.Fatalf("Encode() error = %v", err)
	}
	return body
}

// decode decodes a JSON object, keeping numbers exact.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	if dec.More() {
		t.Fatalf("body %s holds more than one JSON value", body)
	}
	return m
}

func TestEncode_Golden(t *testing.T) {
	const want = `{"routing_key":"R0123456789abcdef0123456789abcde","event_action":"trigger","dedup_key":"srv01/HTTP",` +
		`"client":"Sample Monitoring Service","client_url":"https://monitoring.example.com/?a=1&b=2",` +
		`"payload":{"summary":"DISK at 99% on <prod-datapipe03> & friends","source":"prod-datapipe03.example.com",` +
		`"severity":"critical","timestamp":"2015-07-17T08:42:58.315Z","component":"mysql","group":"prod-datapipe","class":"disk",` +
		`"custom_details":{"ping time":"1500ms","load avg":0.75,"free":{"bytes":1099511627776,"inodes":-1},"disks":["sda","sdb"],"ok":false}},` +
		`"images":[{"src":"https://example.com/graph.png","href":"https://example.com","alt":"graph"}],` +
		`"links":[{"href":"https://example.com/runbook","text":"Runbook"}]}`
	if got := string(encode(t, fullInput())); got != want {
		t.Errorf("Encode() mismatch (-want +got):\n%s", cmp.Diff(want, got))
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		in   event.Input
		want map[string]any
	}{
		{
			name: "full trigger",
			in:   fullInput(),
			want: map[string]any{
				"routing_key": routingKey, "event_action": "trigger", "dedup_key": "srv01/HTTP",
				"client": "Sample Monitoring Service", "client_url": "https://monitoring.example.com/?a=1&b=2",
				"payload": map[string]any{
					"summary": "DISK at 99% on <prod-datapipe03> & friends", "source": "prod-datapipe03.example.com",
					"severity": "critical", "timestamp": "2015-07-17T08:42:58.315Z",
					"component": "mysql", "group": "prod-datapipe", "class": "disk",
					"custom_details": map[string]any{
						"ping time": "1500ms", "load avg": json.Number("0.75"),
						"free":  map[string]any{"bytes": json.Number("1099511627776"), "inodes": json.Number("-1")},
						"disks": []any{"sda", "sdb"}, "ok": false,
					},
				},
				"images": []any{map[string]any{"src": "https://example.com/graph.png", "href": "https://example.com", "alt": "graph"}},
				"links":  []any{map[string]any{"href": "https://example.com/runbook", "text": "Runbook"}},
			},
		},
		{
			name: "empty optional fields are left out",
			in: with(trigger(), func(in *event.Input) {
				in.CustomDetails = event.Details{}
				in.Links, in.Images = []event.Link{}, []event.Image{}
			}),
			want: map[string]any{
				"routing_key": routingKey, "event_action": "trigger",
				"payload": map[string]any{"summary": "DISK at 99% on prod-datapipe03", "source": "prod-datapipe03.example.com", "severity": "critical"},
			},
		},
		{
			name: "optional link and image fields are left out",
			in: with(trigger(), func(in *event.Input) {
				in.Links = []event.Link{{Href: "https://a"}}
				in.Images = []event.Image{{Src: "https://a/b.png"}}
			}),
			want: map[string]any{
				"routing_key": routingKey, "event_action": "trigger",
				"payload": map[string]any{"summary": "DISK at 99% on prod-datapipe03", "source": "prod-datapipe03.example.com", "severity": "critical"},
				"links":   []any{map[string]any{"href": "https://a"}},
				"images":  []any{map[string]any{"src": "https://a/b.png"}},
			},
		},
		{
			name: "acknowledge",
			in:   event.Input{RoutingKey: routingKey, EventAction: "acknowledge", DedupKey: "srv01/HTTP"},
			want: map[string]any{"routing_key": routingKey, "event_action": "acknowledge", "dedup_key": "srv01/HTTP"},
		},
		{
			name: "resolve sends the payload a trigger would",
			in: with(fullInput(), func(in *event.Input) {
				in.EventAction, in.Client, in.ClientURL, in.Links, in.Images = "Resolve", "", "", nil, nil
			}),
			want: map[string]any{"routing_key": routingKey, "event_action": "resolve", "dedup_key": "srv01/HTTP", "payload": fullPayload},
		},
		{
			name: "acknowledge sends the payload a trigger would",
			in: with(fullInput(), func(in *event.Input) {
				in.EventAction, in.Client, in.ClientURL, in.Links, in.Images = "acknowledge", "", "", nil, nil
			}),
			want: map[string]any{"routing_key": routingKey, "event_action": "acknowledge", "dedup_key": "srv01/HTTP", "payload": fullPayload},
		},
		{
			name: "resolve with an invalid severity is sent without payload",
			in: with(fullInput(), func(in *event.Input) {
				in.EventAction, in.Severity, in.Client, in.ClientURL, in.Links, in.Images = "resolve", "ok", "", "", nil, nil
			}),
			want: map[string]any{"routing_key": routingKey, "event_action": "resolve", "dedup_key": "srv01/HTTP"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decode(t, encode(t, tt.in))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Encode() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncode_NoHTMLEscaping(t *testing.T) {
	body := encode(t, with(trigger(), func(in *event.Input) {
		in.Summary = "<b>CPU</b> > 90% && load > 4"
		in.CustomDetails = event.Details{{Key: "<tag>", Value: "a&b"}}
	}))
	for _, want := range []string{`"summary":"<b>CPU</b> > 90% && load > 4"`, `"custom_details":{"<tag>":"a&b"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("Encode() = %s, want it to contain %s", body, want)
		}
	}
	if strings.Contains(string(body), `\u003c`) || strings.Contains(string(body), `\u0026`) {
		t.Errorf("Encode() = %s, want no HTML escapes", body)
	}
}

// bodyOfSize returns a trigger whose JSON body is exactly n bytes long,
// written out by hand so that the size does not depend on Encode.
func bodyOfSize(t *testing.T, n int) (event.Input, string) {
	t.Helper()
	const head = `{"routing_key":"` + routingKey + `","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","custom_details":{"big":"`
	const tail = `"}}}`
	pad := strings.Repeat("x", n-len(head)-len(tail))
	in := event.Input{RoutingKey: routingKey, EventAction: "trigger", Summary: "s", Source: "h", Severity: "info",
		CustomDetails: event.Details{{Key: "big", Value: pad}}}
	return in, head + pad + tail
}

func TestEncode_SizeLimit(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		wantErr string
	}{
		{name: "one byte under", size: event.MaxBodyBytes - 1},
		{name: "at the limit", size: event.MaxBodyBytes},
		{
			name:    "one byte over",
			size:    event.MaxBodyBytes + 1,
			wantErr: "the event is 512001 bytes of JSON; PagerDuty accepts at most 512000 (hint: customDetails is the usual cause; send fewer or shorter details)",
		},
		{
			name:    "far over",
			size:    2 << 20,
			wantErr: "the event is " + strconv.Itoa(2<<20) + " bytes of JSON; PagerDuty accepts at most 512000 (hint: customDetails is the usual cause; send fewer or shorter details)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, want := bodyOfSize(t, tt.size)
			ev, _, err := event.Build(in)
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			got, err := event.Encode(ev)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("Encode() = %d bytes, %v; want error %q", len(got), err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("Encode() returned %d bytes with an error, want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("Encode() error = %v", err)
			}
			if string(got) != want {
				t.Errorf("Encode() = %d bytes, want the %d bytes written out", len(got), len(want))
			}
		})
	}
}

// TestEncode_Errors covers values that Build would have rejected.
func TestEncode_Errors(t *testing.T) {
	withDetails := func(d event.Details) *event.Event {
		return &event.Event{RoutingKey: "k", EventAction: "trigger",
			Payload: &event.Payload{Summary: "s", Source: "h", Severity: "info", CustomDetails: d}}
	}
	tests := []struct {
		name    string
		v       any
		wantErr string
	}{
		{
			name:    "NaN",
			v:       withDetails(event.Details{{Key: "load", Value: nan()}}),
			wantErr: "cannot encode the event as JSON: json: error calling MarshalJSON for type event.Details: json: unsupported value: NaN",
		},
		{
			name:    "unsupported type",
			v:       withDetails(event.Details{{Key: "n", Value: 1}}),
			wantErr: "cannot encode the event as JSON: json: error calling MarshalJSON for type event.Details: unsupported custom detail type int",
		},
		{
			name:    "not an event",
			v:       make(chan int),
			wantErr: "cannot encode the event as JSON: json: unsupported type: chan int",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := event.Encode(tt.v)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Encode() = %s, %v; want error %q", got, err, tt.wantErr)
			}
		})
	}
}

func TestEncode_ChangeEvent(t *testing.T) {
	tests := []struct {
		name string
		ev   *event.ChangeEvent
		want string
	}{
		{
			name: "full",
			ev: &event.ChangeEvent{
				RoutingKey: "k",
				Payload: &event.ChangePayload{Summary: "Deployed <v2> & migrated", Source: "ci", Timestamp: "2020-07-17T08:42:58Z",
					CustomDetails: event.Details{{Key: "build", Value: int64(42)}}},
				Links: []event.Link{{Href: "https://ci.example.com/42", Text: "build"}},
			},
			want: `{"routing_key":"k","payload":{"summary":"Deployed <v2> & migrated","source":"ci","timestamp":"2020-07-17T08:42:58Z",` +
				`"custom_details":{"build":42}},"links":[{"href":"https://ci.example.com/42","text":"build"}]}`,
		},
		{
			name: "minimal",
			ev:   &event.ChangeEvent{RoutingKey: "k", Payload: &event.ChangePayload{Summary: "s"}},
			want: `{"routing_key":"k","payload":{"summary":"s"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := event.Encode(tt.ev)
			if err != nil {
				t.Fatalf("Encode() error = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Encode() mismatch (-want +got):\n%s", cmp.Diff(tt.want, string(got)))
			}
		})
	}
}

// TestEncode_ResolveTooLargeDropsPayload checks that a resolve is not
// failed by a payload PagerDuty does not need: over the size limit, it is
// sent without payload, while a trigger of the same size is an error.
func TestEncode_ResolveTooLargeDropsPayload(t *testing.T) {
	in, _ := bodyOfSize(t, event.MaxBodyBytes+1)
	in.EventAction, in.DedupKey = "resolve", "srv01/HTTP"
	got := decode(t, encode(t, in))
	want := map[string]any{"routing_key": routingKey, "event_action": "resolve", "dedup_key": "srv01/HTTP"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Encode() mismatch (-want +got):\n%s", diff)
	}
	in.EventAction = "trigger"
	ev, _, err := event.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := event.Encode(ev); err == nil {
		t.Error("Encode() of the same trigger succeeded, want the size error")
	}
}
