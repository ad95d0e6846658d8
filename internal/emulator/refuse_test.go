package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// faultsState is the answer of GET /_emulator/faults.
type faultsState struct {
	Queued  []emulator.Fault `json:"queued"`
	Refused []string         `json:"refused_routing_keys"`
}

// TestEmulator_RefuseKey checks that a refused key gets PagerDuty's 400
// for an unknown integration key, on every event until the faults are
// cleared, while other keys are accepted.
func TestEmulator_RefuseKey(t *testing.T) {
	s := emulatortest.New(t)
	code, body := post(t, s.URL()+"/_emulator/faults", `{"refuse_routing_key":"`+otherKey+`"}`)
	if code != http.StatusOK || strings.Contains(body, otherKey) {
		t.Fatalf("POST /_emulator/faults: %d %s; want 200 and the key masked", code, body)
	}
	refused := trigger(set("routing_key", otherKey))
	for i := 0; i < 2; i++ { // not used up
		code, body := post(t, s.EventsURL(), refused)
		if got := decodeJSON[response](t, "the answer", body); code != http.StatusBadRequest || !cmp.Equal(got, invalid("Invalid routing key")) {
			t.Errorf("event %d with the refused key: %d %+v; want 400 %+v", i+1, code, got, invalid("Invalid routing key"))
		}
	}
	if code, _ := post(t, s.ChangeURL(), change(set("routing_key", otherKey))); code != http.StatusBadRequest {
		t.Errorf("change event with the refused key: %d, want 400", code)
	}
	if code, _ := post(t, s.EventsURL(), trigger()); code != http.StatusAccepted {
		t.Errorf("event with another key: %d, want 202", code)
	}
	// An invalid event is answered with its own problems first.
	_, body = post(t, s.EventsURL(), trigger(set("routing_key", otherKey), del("payload.source")))
	if got := decodeJSON[response](t, "the answer", body); !cmp.Equal(got, invalid("'payload.source' is missing or blank")) {
		t.Errorf("invalid event with the refused key: %+v", got)
	}
	reqs := s.Requests()
	if r := reqs[0]; r.Verdict != emulator.VerdictRejected || r.Status != 400 || !cmp.Equal(r.Errors, []string{"Invalid routing key"}) ||
		!strings.Contains(r.Reason, "refused by /_emulator/faults") {
		t.Errorf("recorded request: %+v", r)
	}
	if n := len(s.Alerts()); n != 1 {
		t.Errorf("%d alerts, want 1: a refused event opens none", n)
	}
	state := decodeJSON[faultsState](t, "the faults", get(t, s.URL()+"/_emulator/faults"))
	if want := []string{"k3yB**************************QZ"}; !cmp.Equal(state.Refused, want) || len(state.Queued) != 0 {
		t.Errorf("GET /_emulator/faults = %+v, want refused %q and nothing queued", state, want)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.URL()+"/_emulator/faults", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if code, _ := post(t, s.EventsURL(), refused); code != http.StatusAccepted || len(s.RefusedKeys()) != 0 {
		t.Errorf("after DELETE: %d, %d keys refused; want 202 and none", code, len(s.RefusedKeys()))
	}
}

// TestEmulator_RefuseKey_WithFaults checks refusals posted among faults,
// and that Reset forgets them.
func TestEmulator_RefuseKey_WithFaults(t *testing.T) {
	s := emulatortest.New(t)
	code, body := post(t, s.URL()+"/_emulator/faults", `[{"status":503},{"refuse_routing_key":"`+key+`"},{"refuse_routing_key":"`+key+`"}]`)
	if code != http.StatusOK {
		t.Fatalf("POST /_emulator/faults: %d %s", code, body)
	}
	if got := s.RefusedKeys(); !cmp.Equal(got, []string{key}) || len(s.Faults()) != 1 {
		t.Errorf("refused %d keys, %d faults queued; want the key once and the 503", len(got), len(s.Faults()))
	}
	if code, _ := post(t, s.EventsURL(), trigger()); code != http.StatusServiceUnavailable {
		t.Errorf("first event: %d, want the queued 503 first", code)
	}
	if code, _ := post(t, s.EventsURL(), trigger()); code != http.StatusBadRequest {
		t.Errorf("second event: %d, want 400", code)
	}
	s.Reset()
	if code, _ := post(t, s.EventsURL(), trigger()); code != http.StatusAccepted {
		t.Errorf("after Reset: %d, want 202", code)
	}
}

func TestEmulator_RefuseKey_InvalidScript(t *testing.T) {
	s := emulatortest.New(t)
	for _, tt := range []struct{ body, want string }{
		{`{"refuse_routing_key":""}`, `element 1: refuse_routing_key must be a non-empty string: the routing key to refuse`},
		{`[{"status":500},{"refuse_routing_key":5}]`, `element 2: refuse_routing_key must be a non-empty string`},
		{`{"refuse_routing_key":"` + key + `","status":400,"` + otherKey + `":1}`, `element 1: refuse_routing_key stands alone; post the other fields (k3yB**************************QZ, status) as a separate fault`},
		{`[{"status":500},{"refuse":"x"}]`, `body must be a JSON array of faults: element 2: json: unknown field \"refuse\"`},
	} {
		code, body := post(t, s.URL()+"/_emulator/faults", tt.body)
		if code != http.StatusBadRequest || !strings.Contains(body, tt.want) || strings.Contains(body, key) || strings.Contains(body, otherKey) {
			t.Errorf("POST /_emulator/faults %s: %d %s; want 400 saying %s", tt.body, code, body, tt.want)
		}
	}
	if len(s.Faults()) != 0 || len(s.RefusedKeys()) != 0 {
		t.Errorf("invalid scripts queued %d faults and refused %d keys", len(s.Faults()), len(s.RefusedKeys()))
	}
}
