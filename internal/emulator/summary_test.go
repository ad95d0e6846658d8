package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

func TestEmulator_WriteSummary(t *testing.T) {
	e := emulator.New(emulator.Options{RateLimit: 4, Now: newClock().Now})
	for _, s := range []struct{ path, body string }{
		{emulator.EventsPath, trigger()},
		{emulator.EventsPath, trigger(set("payload.summary", strings.Repeat("long ", 30)))},
		{emulator.EventsPath, trigger(del("payload.source"), set("payload.severity", "fatal"))},
		{emulator.EventsPath, resolve(key, "unknown")},
		{emulator.ChangePath, change()},
		{emulator.EventsPath, resolve(key, "srv01/HTTP")},
		{emulator.EventsPath, "nope"},
	} {
		serve(t, e, http.MethodPost, s.path, s.body)
	}
	e.Inject(emulator.Fault{Status: 503})
	serve(t, e, http.MethodPost, emulator.EventsPath, trigger())

	var b strings.Builder
	if err := e.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	want := `PagerDuty emulator: 8 events received (3 accepted, 2 rejected, 1 dropped, 1 throttled, 1 fault)
  #1 trigger dedup_key="srv01/HTTP" severity="critical" summary="DISK at 99% on machine prod-datapipe03.example.com": accepted (opened a new alert)
  #2 trigger dedup_key="srv01/HTTP" severity="critical" summary="long long long long long long long long long long long long long long long long…": accepted (deduplicated into the triggered alert, count 2)
  #3 trigger dedup_key="srv01/HTTP" severity="fatal" summary="DISK at 99% on machine prod-datapipe03.example.com": rejected: 'payload.source' is missing or blank; 'payload.severity' is invalid (must be one of critical, error, warning, info)
  #4 resolve dedup_key="unknown": dropped: no open alert with this dedup key
  #5 change summary="Build 42 deployed": accepted
  #6 resolve dedup_key="srv01/HTTP": throttled: rate limit reached (4 events per routing key per minute)
  #7 -: rejected: JSON parse error
  #8 trigger dedup_key="srv01/HTTP" severity="critical" summary="DISK at 99% on machine prod-datapipe03.example.com": fault: injected fault: 503
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
}

func TestEmulator_WriteSummary_Empty(t *testing.T) {
	var b strings.Builder
	if err := emulator.New(emulator.Options{}).WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	if want := "PagerDuty emulator: no events received\n"; b.String() != want {
		t.Errorf("summary = %q, want %q", b.String(), want)
	}
}

func TestEmulator_Log(t *testing.T) {
	var log syncBuffer
	e := emulator.New(emulator.Options{Log: &log, Now: newClock().Now})
	serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
	serve(t, e, http.MethodPost, emulator.EventsPath, resolve(otherKey, "x"))
	want := `fluxpd emulator: 12:00:00.000 #1 POST /v2/enqueue 202 trigger routing_key=k3yA**************************QZ dedup_key="srv01/HTTP" severity="critical" summary="DISK at 99% on machine prod-datapipe03.example.com": accepted (opened a new alert)
fluxpd emulator: 12:00:00.000 #2 POST /v2/enqueue 202 resolve routing_key=k3yB**************************QZ dedup_key="x": dropped: no open alert with this dedup key
`
	if diff := cmp.Diff(want, log.String()); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}
}
