package emulator_test

import (
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// TestEmulator_MasksRoutingKeys checks every printed or served surface:
// the log, the summary, the inspection JSON and the inbox page.
func TestEmulator_MasksRoutingKeys(t *testing.T) {
	const wrongLengthKey = "s3cr3tWrongLength0123456789"
	var log syncBuffer
	s := emulatortest.New(t, emulator.Options{Log: &log})
	post(t, s.EventsURL(), trigger(set("payload.summary", "oops, the key "+key+" is in the summary"), set("dedup_key", "dk-"+key)))
	post(t, s.EventsURL(), ack(key, "dk-"+key))
	post(t, s.EventsURL(), trigger(set("routing_key", wrongLengthKey), set("payload.source", wrongLengthKey)))
	post(t, s.EventsURL(), resolve(otherKey, "unknown"))
	post(t, s.ChangeURL(), change(set("payload.summary", "deployed with "+key)))
	s.Inject(emulator.Fault{Status: 500})
	post(t, s.EventsURL(), trigger())
	post(t, s.EventsURL(), "{not json "+key)

	var summary strings.Builder
	if err := s.WriteSummary(&summary); err != nil {
		t.Fatal(err)
	}
	surfaces := map[string]string{
		"log":                 log.String(),
		"WriteSummary":        summary.String(),
		"/_emulator/requests": get(t, s.URL()+"/_emulator/requests"),
		"/_emulator/alerts":   get(t, s.URL()+"/_emulator/alerts"),
		"/_emulator/summary":  get(t, s.URL()+"/_emulator/summary"),
		"inbox page":          get(t, s.URL()+"/"),
	}
	for name, out := range surfaces {
		if out == "" {
			t.Errorf("%s is empty", name)
		}
		for _, secret := range []string{key, otherKey, wrongLengthKey} {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaks the routing key %q:\n%s", name, secret, out)
			}
		}
	}
	for _, name := range []string{"log", "/_emulator/requests", "/_emulator/alerts", "inbox page"} {
		if !strings.Contains(surfaces[name], keyMask) {
			t.Errorf("%s does not show the masked key %q:\n%s", name, keyMask, surfaces[name])
		}
	}
	// The Go API keeps the raw values for tests.
	if r := s.Requests()[0]; r.RoutingKey != key || !strings.Contains(string(r.Body), key) {
		t.Errorf("Requests()[0] lost the raw routing key: %+v", r)
	}
}

// TestEmulator_MasksKeysInUnknownPaths checks the log line of a request to
// an unknown path, where senders of other APIs put the routing key.
func TestEmulator_MasksKeysInUnknownPaths(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/v2/enqueue/" + key, "/v2/enqueue/" + keyMask},
		{"/integration/" + key + "/enqueue", "/integration/" + keyMask + "/enqueue"},
		{"/generic/2010-04-15/create_event.json", "/generic/2010-04-15/create_event.json"},
		{"/v1/" + key[:20], "/v1/" + key[:4] + strings.Repeat("*", 14) + key[18:20]},
		{"/v2/enqueue/short-segment", "/v2/enqueue/short-segment"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var log syncBuffer
			s := emulatortest.New(t, emulator.Options{Log: &log})
			post(t, s.URL()+tt.path, trigger())
			got := log.String()
			if strings.Contains(got, key) || strings.Contains(got, key[:20]) {
				t.Errorf("log leaks the routing key: %s", got)
			}
			if want := "POST " + tt.want + " 404 not found"; !strings.Contains(got, want) {
				t.Errorf("log = %q, want it to contain %q", got, want)
			}
		})
	}
}
