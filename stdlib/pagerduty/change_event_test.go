package pagerduty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// changeScript points both default URLs at emu and appends lines.
func changeScript(emu *emulator.Server, lines ...string) string {
	return fmt.Sprintf("option pagerduty.defaultURL = %q\noption pagerduty.defaultChangeURL = %q\n%s\n",
		emu.EventsURL(), emu.ChangeURL(), strings.Join(lines, "\n"))
}

func TestSendChangeEvent_Body(t *testing.T) {
	emu := emulatortest.New(t)
	_, out, err := fluxQuery(context.Background(), t, nil, changeScript(emu, fmt.Sprintf(`pagerduty.sendChangeEvent(
    routingKey: %q,
    summary: "Deployed api v1.4.2",
    source: "ci.example.com",
    timestamp: 2030-01-02T03:04:05.5Z,
    customDetails: {version: "v1.4.2", replicas: 6, "build url": "https://ci.example.com/42"},
    links: [{href: "https://ci.example.com/42", text: "Build 42"}, {href: "https://git.example.com/diff"}],
)
pagerduty.sendChangeEvent(routingKey: %q, summary: "Scaled api")`, testKey, testKey)))
	if err != nil {
		t.Fatal(err)
	}
	if out != "202\n202\n" {
		t.Errorf("the calls returned %q, want 202 twice", out)
	}
	reqs := emu.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the emulator received %d requests, want 2", len(reqs))
	}
	var got []map[string]any
	for _, r := range reqs {
		if r.Path != emulator.ChangePath || r.Verdict != emulator.VerdictAccepted {
			t.Errorf("request #%d to %s was %s; want an accepted change event", r.ID, r.Path, r.Verdict)
		}
		var body map[string]any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		got = append(got, body)
	}
	want := []map[string]any{
		{
			"routing_key": testKey,
			"payload": map[string]any{
				"summary": "Deployed api v1.4.2", "source": "ci.example.com", "timestamp": "2030-01-02T03:04:05.5Z",
				"custom_details": map[string]any{"version": "v1.4.2", "replicas": float64(6), "build url": "https://ci.example.com/42"},
			},
			"links": []any{
				map[string]any{"href": "https://ci.example.com/42", "text": "Build 42"},
				map[string]any{"href": "https://git.example.com/diff"},
			},
		},
		{"routing_key": testKey, "payload": map[string]any{"summary": "Scaled api"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request bodies (-want +got):\n%s", diff)
	}
}

func TestSendChangeEvent_Answers(t *testing.T) {
	emu := emulatortest.New(t)
	long := strings.Repeat("é", 1500)
	_, out, err := fluxQuery(context.Background(), t, nil, changeScript(emu,
		fmt.Sprintf(`pagerduty.sendChangeEvent(routingKey: %q, summary: %q, timestamp: "2015-07-17T08:42:58.315+0000")`, testKey, long),
	))
	if err != nil {
		t.Fatal(err)
	}
	// The long summary is cut, so it is accepted.
	if out != "202\n" {
		t.Errorf("the call returned %q, want 202", out)
	}
	if reqs := emu.Requests(); len(reqs) == 1 {
		if n := utf8.RuneCountInString(reqs[0].Summary); n != 1024 {
			t.Errorf("the summary arrived with %d characters, want 1024", n)
		}
	}
}

// TestSendChangeEvent_RulesetKeyRefused: PagerDuty always refuses change
// events for ruleset keys, so they are refused before anything is sent,
// without showing the key.
func TestSendChangeEvent_RulesetKeyRefused(t *testing.T) {
	emu := emulatortest.New(t)
	const key = "R0123456789abcdef0123456789abcde"
	_, _, err := fluxQuery(context.Background(), t, nil, changeScript(emu,
		`pagerduty.sendChangeEvent(routingKey: "`+key+`", summary: "to a ruleset")`))
	const want = `error calling function "sendChangeEvent": routingKey looks like a ruleset (event orchestration) key, which change events do not accept; use the service's integration key`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("the emulator received %d requests, want none", n)
	}
}

func TestSendChangeEvent_Errors(t *testing.T) {
	emu := emulatortest.New(t)
	for _, tc := range []struct {
		name, args, want string
	}{
		{name: "empty routing key", args: `routingKey: "", summary: "x"`,
			want: `routingKey is empty; set it to the integration key of an Events API v2 integration`},
		{name: "empty summary", args: `routingKey: "KEY", summary: " "`,
			want: `summary is empty; a change event needs a short description of the change, such as "Deployed api v1.4.2"`},
		{name: "bad timestamp", args: `routingKey: "KEY", summary: "x", timestamp: "yesterday"`,
			want: `timestamp must be a time or an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got "yesterday"`},
		{name: "link without href", args: `routingKey: "KEY", summary: "x", links: [{text: "build"}]`,
			want: `links[0].href is empty; every link needs an href`},
		{name: "link with an unknown key", args: `routingKey: "KEY", summary: "x", links: [{url: "https://a.example"}]`,
			want: `links[0] has the unknown key "url"; valid keys are href, text`},
		{name: "every problem at once", args: `routingKey: "", summary: "", timestamp: "soon"`,
			want: `routingKey is empty; set it to the integration key of an Events API v2 integration (hint: routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY")); ` +
				`summary is empty; a change event needs a short description of the change, such as "Deployed api v1.4.2"; ` +
				`timestamp must be a time`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := strings.ReplaceAll(tc.args, "KEY", testKey)
			_, _, err := fluxQuery(context.Background(), t, nil, changeScript(emu, "pagerduty.sendChangeEvent("+args+")"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the error quotes the routing key: %v", err)
			}
		})
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("the emulator received %d requests for invalid events, want 0", n)
	}
}

// TestSendChangeEvent_TimestampKinds passes a time, a string and nothing in
// one script: timestamp's default (pagerduty._unset()) must leave the
// parameter free to take either type.
func TestSendChangeEvent_TimestampKinds(t *testing.T) {
	emu := emulatortest.New(t)
	call := `pagerduty.sendChangeEvent(routingKey: "` + testKey + `", summary: "deploy"%s)`
	_, out, err := fluxQuery(context.Background(), t, nil, changeScript(emu,
		fmt.Sprintf(call, `, timestamp: 2030-01-01T00:00:00Z`),
		fmt.Sprintf(call, `, timestamp: "2030-01-01T00:05:00+0000"`),
		fmt.Sprintf(call, ``),
		fmt.Sprintf(call, `, timestamp: ""`),
	))
	if err != nil {
		t.Fatal(err)
	}
	if out != "202\n202\n202\n202\n" {
		t.Errorf("the calls returned %q, want 202 four times", out)
	}
	var got []string
	for _, r := range emu.Requests() {
		var body struct {
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		ts, ok := body.Payload["timestamp"].(string)
		if !ok {
			ts = "<none>"
		}
		got = append(got, ts)
	}
	want := []string{"2030-01-01T00:00:00Z", "2030-01-01T00:05:00+0000", "<none>", "<none>"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timestamps sent (-want +got):\n%s", diff)
	}
}
