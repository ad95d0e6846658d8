package pagerduty_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// noteCollector is a Host.Note keeping every note, safe for concurrent use.
type noteCollector struct {
	mu    sync.Mutex
	notes []string
}

func (c *noteCollector) note(n pagerduty.Note) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notes = append(c.notes, n.String())
}

// TestHost_Notes: a summary cut to PagerDuty's limit and a resolve sent
// without its invalid payload are each told to the host once, from every
// sending function, with the routing key masked; an event sent as given is
// not.
func TestHost_Notes(t *testing.T) {
	long := strings.Repeat("x", 1100)
	for _, tc := range []struct{ name, call, want string }{
		{
			name: "sendEvent summary cut",
			call: fmt.Sprintf(`pagerduty.sendEvent(pagerdutyURL: url, routingKey: %q, client: "", clientURL: "", dedupKey: "db01", class: "", group: "",
    severity: "critical", eventAction: "trigger", source: "h", summary: %q, timestamp: "")`, testKey, long),
			want: `pagerduty.sendEvent (dedup key "db01"): summary is longer than 1024 characters, PagerDuty's limit; it was sent cut to 1024, ending in …`,
		},
		{
			name: "sendEvent resolve without payload, key masked",
			call: fmt.Sprintf(`pagerduty.sendEvent(pagerdutyURL: url, routingKey: %q, client: "", clientURL: "", dedupKey: "db01", class: "", group: "",
    severity: %q, eventAction: "resolve", source: "h", summary: "s", timestamp: "")`, testKey, testKey),
			want: `pagerduty.sendEvent (dedup key "db01"): sent without payload, because its payload fields would not make a valid trigger payload: severity`,
		},
		{
			name: "sendChangeEvent summary cut",
			call: fmt.Sprintf(`pagerduty.sendChangeEvent(pagerdutyURL: changeURL, routingKey: %q, summary: %q)`, testKey, long),
			want: `pagerduty.sendChangeEvent: summary is longer than 1024 characters`,
		},
		{
			name: "endpoint summary cut",
			call: fmt.Sprintf(`csv.from(csv: data) |> pagerduty.endpoint(url: url)(mapFn: (r) => ({routingKey: %q, client: "", clientURL: "", dedupKey: r.host, class: "", group: "",
        severity: "info", eventAction: "trigger", source: r.host, summary: %q, timestamp: ""}))()`, testKey, long),
			want: `pagerduty.endpoint (dedup key "db01"): summary is longer than 1024 characters`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulatortest.New(t)
			notes := &noteCollector{}
			ctx := pagerduty.WithHost(context.Background(), pagerduty.Host{Note: notes.note})
			src := fmt.Sprintf("%surl = %q\nchangeURL = %q\n%s\n", oneRow, emu.EventsURL(), emu.ChangeURL(), tc.call)
			if _, _, err := loopbackQuery(ctx, src); err != nil {
				t.Fatal(err)
			}
			if n := len(emu.Requests()); n != 1 {
				t.Errorf("the emulator received %d requests, want 1", n)
			}
			if len(notes.notes) != 1 {
				t.Fatalf("got %d notes, want 1: %q", len(notes.notes), notes.notes)
			}
			got := notes.notes[0]
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("note\n got: %s\nwant prefix: %s", got, tc.want)
			}
			if strings.Contains(got, testKey) {
				t.Errorf("note shows the routing key: %s", got)
			}
		})
	}
}

// TestHost_NoNoteForAnEventSentAsGiven: nothing to tell, nothing told.
func TestHost_NoNoteForAnEventSentAsGiven(t *testing.T) {
	emu := emulatortest.New(t)
	notes := &noteCollector{}
	ctx := pagerduty.WithHost(context.Background(), pagerduty.Host{URL: emu.EventsURL(), Note: notes.note})
	if _, _, err := loopbackQuery(ctx, oneRow+mapSend); err != nil {
		t.Fatal(err)
	}
	if len(emu.Requests()) != 1 || len(notes.notes) != 0 {
		t.Errorf("got %d requests and notes %q; want 1 request and no notes", len(emu.Requests()), notes.notes)
	}
}
