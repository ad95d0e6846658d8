package emulatortest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

func TestNew(t *testing.T) {
	var s *emulator.Server
	t.Run("inner", func(t *testing.T) {
		s = emulatortest.New(t, emulator.Options{RateLimit: 1})
		body := `{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"resolve","dedup_key":"x"}`
		for _, want := range []int{202, 429} {
			res, err := http.Post(s.EventsURL(), "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != want {
				t.Errorf("status %d, want %d", res.StatusCode, want)
			}
		}
	})
	if _, err := http.Get(s.URL()); err == nil {
		t.Errorf("the emulator still answers after its test ended")
	}
}
