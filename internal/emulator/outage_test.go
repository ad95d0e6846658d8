package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

func TestEmulator_Outage(t *testing.T) {
	c := newClock()
	e := emulator.New(emulator.Options{Now: c.Now})
	if err := e.StartOutage(emulator.Outage{For: time.Minute, RetryAfter: "30"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.OutageUntil(); !ok {
		t.Fatal("OutageUntil reports no outage right after StartOutage")
	}
	res, got := serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(got.Message, "outage") {
		t.Fatalf("during the outage: %d %+v, want 503 naming the outage", res.StatusCode, got)
	}
	if ra := res.Header.Get("Retry-After"); ra != "30" {
		t.Errorf("Retry-After = %q, want 30", ra)
	}
	if n := len(e.Alerts()); n != 0 {
		t.Fatalf("an event during the outage opened %d alerts", n)
	}
	c.Add(time.Minute)
	if res, _ := serve(t, e, http.MethodPost, emulator.EventsPath, trigger()); res.StatusCode != http.StatusAccepted {
		t.Fatalf("after the outage: %d, want 202", res.StatusCode)
	}
	if _, ok := e.OutageUntil(); ok {
		t.Error("the outage is still reported after its end")
	}
	want := []emulator.Verdict{emulator.VerdictFault, emulator.VerdictAccepted}
	if got := verdicts(e); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("verdicts = %v, want %v", got, want)
	}
}

func TestEmulator_OutageDropAndEnd(t *testing.T) {
	s := emulatortest.New(t)
	if err := s.StartOutage(emulator.Outage{For: time.Hour, Drop: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Post(s.EventsURL(), "application/json", strings.NewReader(trigger())); err == nil {
		t.Fatal("a dropping outage answered")
	}
	s.EndOutage()
	if code, _ := post(t, s.EventsURL(), trigger()); code != http.StatusAccepted {
		t.Fatalf("after EndOutage: %d, want 202", code)
	}
}

func TestEmulator_OutageAPI(t *testing.T) {
	s := emulatortest.New(t)
	code, b := post(t, s.URL()+"/_emulator/outage", `{"for":"1h","status":502}`)
	if code != http.StatusOK || !strings.Contains(b, `"active": true`) || !strings.Contains(b, `"status": 502`) {
		t.Fatalf("POST outage: %d %s", code, b)
	}
	if code, _ := post(t, s.EventsURL(), trigger()); code != http.StatusBadGateway {
		t.Fatalf("event during the outage: %d, want 502", code)
	}
	if b := get(t, s.URL()+"/_emulator/outage"); !strings.Contains(b, `"remaining"`) {
		t.Errorf("GET outage = %s, want the remaining time", b)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.URL()+"/_emulator/outage", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if code, _ := post(t, s.EventsURL(), trigger()); code != http.StatusAccepted {
		t.Fatalf("after DELETE: %d, want 202", code)
	}
	for _, bad := range []string{`{"for":"-1s"}`, `{"for":"x"}`, `{"for":"1s","status":99}`, `{"fro":"1s"}`} {
		if code, b := post(t, s.URL()+"/_emulator/outage", bad); code != http.StatusBadRequest {
			t.Errorf("POST %s: %d %s, want 400", bad, code, b)
		}
	}
}

func TestEmulator_RateWindow(t *testing.T) {
	c := newClock()
	e := emulator.New(emulator.Options{RateLimit: 1, RateWindow: 100 * time.Millisecond, Now: c.Now})
	codes := func() int {
		res, _ := serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
		return res.StatusCode
	}
	if a, b := codes(), codes(); a != http.StatusAccepted || b != http.StatusTooManyRequests {
		t.Fatalf("in the window: %d, %d; want 202, 429", a, b)
	}
	c.Add(100 * time.Millisecond)
	if got := codes(); got != http.StatusAccepted {
		t.Fatalf("after the shortened window: %d, want 202", got)
	}
}
