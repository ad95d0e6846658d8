package emulator_test

import (
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

func TestEmulator_Inbox(t *testing.T) {
	s := emulatortest.New(t)
	post(t, s.EventsURL(), trigger(set("dedup_key", "old"), set("payload.summary", "resolved one")))
	post(t, s.EventsURL(), resolve(key, "old"))
	post(t, s.EventsURL(), trigger(set("payload.summary", `<script>alert("x")</script> disk full`), set("payload.severity", "warning")))
	post(t, s.EventsURL(), trigger(set("dedup_key", "acked"), set("payload.summary", "acknowledged one")))
	post(t, s.EventsURL(), ack(key, "acked"))
	post(t, s.EventsURL(), trigger(del("payload.source"), set("payload.summary", "<b>bad</b> event")))

	page := get(t, s.URL()+"/")
	for _, want := range []string{
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; disk full`,
		`warning`,
		`prod-datapipe03.example.com`,
		`srv01/HTTP`,
		keyMask,
		`&lt;b&gt;bad&lt;/b&gt; event`,
		`&#39;payload.source&#39; is missing or blank`,
		`count 1`,
		`Open alerts (2)`,
		`Resolved alerts (1)`,
		`Rejected events (1)`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("inbox page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "<b>bad", key, `http-equiv="refresh"`, "<link", "<img", "src="} {
		if strings.Contains(page, bad) {
			t.Errorf("inbox page contains %q", bad)
		}
	}
	// Open alerts first, triggered before acknowledged, then resolved.
	iTriggered := strings.Index(page, "disk full")
	iAcked := strings.Index(page, "acknowledged one")
	iResolved := strings.Index(page, "resolved one")
	if !(iTriggered < iAcked && iAcked < iResolved) {
		t.Errorf("order: triggered at %d, acknowledged at %d, resolved at %d", iTriggered, iAcked, iResolved)
	}
}

func TestEmulator_Inbox_Empty(t *testing.T) {
	s := emulatortest.New(t)
	page := get(t, s.URL()+"/")
	for _, want := range []string{"No open alerts.", "No resolved alerts.", "No rejected events."} {
		if !strings.Contains(page, want) {
			t.Errorf("empty inbox page lacks %q", want)
		}
	}
}

// TestEmulator_ResolvePayloadShown checks that the payload of a resolve
// (which fluxpd sends when its trigger's fields are valid) is recorded and
// shown on the inbox page and by the JSON inspection API, and that a
// resolve without payload says so.
func TestEmulator_ResolvePayloadShown(t *testing.T) {
	s := emulatortest.New(t)
	post(t, s.EventsURL(), trigger(set("dedup_key", "a")))
	post(t, s.EventsURL(), encode(body{"routing_key": key, "event_action": "resolve", "dedup_key": "a",
		"payload": map[string]any{"summary": "disk back at 40%", "source": "db07.example.com", "severity": "info"}}, nil))
	post(t, s.EventsURL(), trigger(set("dedup_key", "b")))
	post(t, s.EventsURL(), ack(key, "b"))

	page := get(t, s.URL()+"/")
	for _, want := range []string{`<td>resolve</td><td>info</td><td>disk back at 40%</td><td>source <code>db07.example.com</code></td>`,
		`<td>acknowledge</td><td colspan="3" class="meta">no payload</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("inbox page lacks %q", want)
		}
	}
	alerts := get(t, s.URL()+"/_emulator/alerts")
	for _, want := range []string{`"action": "resolve",
        "payload": true,
        "severity": "info",
        "summary": "disk back at 40%",
        "source": "db07.example.com"`, `"action": "acknowledge",
        "payload": false`} {
		if !strings.Contains(alerts, want) {
			t.Errorf("/_emulator/alerts lacks %q in:\n%s", want, alerts)
		}
	}
	reqs := get(t, s.URL()+"/_emulator/requests")
	if want := `"summary": "disk back at 40%",
    "source": "db07.example.com",
    "payload": true`; !strings.Contains(reqs, want) {
		t.Errorf("/_emulator/requests lacks %q in:\n%s", want, reqs)
	}
}
