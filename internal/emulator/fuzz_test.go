package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// FuzzValidate feeds arbitrary bodies to both events endpoints. The
// emulator must never panic, and must always answer 202, 400 or 429 with
// a JSON body of PagerDuty's shape. The seed corpus runs as a normal test.
func FuzzValidate(f *testing.F) {
	for _, seed := range []string{
		trigger(), change(), ack(key, "srv01/HTTP"), resolve(key, "x"),
		trigger(del("dedup_key")), trigger(set("payload", 5)), trigger(set("images", []any{1, nil, map[string]any{"src": 5}})),
		trigger(set("links", "x")), trigger(set("payload.summary", strings.Repeat("é", 1025))),
		change(set("routing_key", "R"+key[1:])), change(set("payload", nil)),
		"", "{", "[]", "null", `{"routing_key":null}`, `{"payload":{"summary":{}}}`, `{"images":[[]]}`,
		`{"routing_key":"` + key + `","event_action":"trigger","payload":{"summary":"\ud800","source":"\u0000","severity":"info","timestamp":"2015-07-17T08:42:58.315+0000"}}`,
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	e := emulator.New(emulator.Options{RateLimit: 1000})
	var runs atomic.Int64
	f.Fuzz(func(t *testing.T, body string, isChange bool) {
		path := emulator.EventsPath
		if isChange {
			path = emulator.ChangePath
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		var got response
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("response is not JSON: %v: %s", err, rec.Body)
		}
		switch rec.Code {
		case http.StatusAccepted:
			if got.Status != "success" || len(got.Errors) != 0 {
				t.Errorf("202 with body %+v", got)
			}
		case http.StatusBadRequest:
			if len(got.Errors) == 0 {
				t.Errorf("400 without errors: %+v", got)
			}
		case http.StatusTooManyRequests:
		default:
			t.Errorf("status %d", rec.Code)
		}
		if runs.Add(1)%1000 == 0 { // keep memory flat, yet let state build up
			e.Reset()
		}
	})
}
