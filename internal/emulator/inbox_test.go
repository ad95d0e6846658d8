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
		`<meta http-equiv="refresh" content="5">`,
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
		`Recent rejected events (1)`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("inbox page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "<b>bad", key, "http://", "https://", "<link", "src="} {
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
