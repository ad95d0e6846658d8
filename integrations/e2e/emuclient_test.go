package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// Routing keys of the tests: 32 characters, easy to spot if leaked.
const (
	testKey     = "e2eA0123456789abcdefghijklmnopQZ"
	testKeyMask = "e2eA**************************QZ"
	refusedKey  = "e2eB0123456789abcdefghijklmnopQZ"
)

func postEvent(t *testing.T, url, body string) int {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestEmulator_Client drives a real emulator through the client: raw
// bodies, a refused key, an outage, and the answers saved.
func TestEmulator_Client(t *testing.T) {
	srv := emulatortest.New(t)
	answers := &Answers{Dir: t.TempDir()}
	emu := Emulator{URL: srv.URL(), Client: &http.Client{Timeout: Limit()}, Answers: answers}
	trigger := `{"routing_key":"` + testKey + `", "event_action":"trigger","dedup_key":"d1","client_url":"http://x/c",` +
		`"payload":{"summary":"s","source":"h","severity":"info","class":"disk","custom_details":{"n":1}}}`
	if code := postEvent(t, srv.EventsURL(), trigger); code != http.StatusAccepted {
		t.Fatalf("trigger: %d", code)
	}
	if err := emu.RefuseKey(refusedKey); err != nil {
		t.Fatal(err)
	}
	if code := postEvent(t, srv.EventsURL(), strings.Replace(trigger, testKey, refusedKey, 1)); code != http.StatusBadRequest {
		t.Errorf("refused key: %d, want 400", code)
	}
	if err := emu.StartOutage(time.Hour); err != nil {
		t.Fatal(err)
	}
	if code := postEvent(t, srv.EventsURL(), trigger); code != http.StatusServiceUnavailable {
		t.Errorf("during the outage: %d, want 503", code)
	}
	if err := emu.EndOutage(); err != nil {
		t.Fatal(err)
	}
	reqs, err := emu.Requests()
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 3 || LastID(reqs) != 3 || len(After(reqs, 1)) != 2 {
		t.Fatalf("requests %s; want 3, the last #3, 2 after #1", Pretty(reqs))
	}
	if want := strings.Replace(trigger, testKey, testKeyMask, 1); reqs[0].RawBody != want {
		t.Errorf("raw body %s, want %s", reqs[0].RawBody, want)
	}
	ev, err := reqs[0].Event()
	want := Event{RoutingKey: testKeyMask, EventAction: "trigger", DedupKey: "d1", ClientURL: "http://x/c",
		Payload: &Payload{Summary: "s", Source: "h", Severity: "info", Class: "disk", CustomDetails: map[string]any{"n": 1.0}}}
	if diff := cmp.Diff(want, ev); err != nil || diff != "" {
		t.Errorf("Event() = %v, (-want +got):\n%s", err, diff)
	}
	if r := reqs[1]; r.Status != 400 || r.Verdict != "rejected" || !cmp.Equal(r.Errors, []string{"Invalid routing key"}) {
		t.Errorf("refused request: %s", Pretty(r))
	}
	if r := reqs[2]; r.Status != 503 || r.Verdict != "fault" {
		t.Errorf("request during the outage: %s", Pretty(r))
	}
	if _, err := (Request{ID: 9, RawBodyNote: "not shown"}).Event(); err == nil || !strings.Contains(err.Error(), "not shown") {
		t.Errorf("Event() of a body not shown: %v", err)
	}
	if n, err := NoSecrets([]string{answers.Dir}, testKey, refusedKey); n == 0 || err != nil {
		t.Errorf("the saved answers: %d read, %v; want some, without a key", n, err)
	}
}

func TestEmulator_Client_Errors(t *testing.T) {
	srv := emulatortest.New(t)
	emu := Emulator{URL: srv.URL(), Client: &http.Client{Timeout: Limit()}}
	if err := emu.RefuseKey(""); err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "refuse_routing_key must be a non-empty string") {
		t.Errorf("RefuseKey(\"\") = %v, want the emulator's 400 quoted", err)
	}
	if err := emu.get("/_emulator/nope", new(any)); err == nil || !strings.Contains(err.Error(), "GET /_emulator/nope: 404") {
		t.Errorf("unknown endpoint: %v", err)
	}
}
