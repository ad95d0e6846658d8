// Package emulatortest starts PagerDuty emulators for tests.
package emulatortest

import (
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// New starts an emulator on a free port of 127.0.0.1, configured by opts
// (at most one), and closes it when the test ends. If the test failed, the
// emulator's summary of received events is logged, routing keys masked.
func New(t testing.TB, opts ...emulator.Options) *emulator.Server {
	t.Helper()
	var o emulator.Options
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		t.Fatalf("emulatortest.New takes at most one emulator.Options, got %d", len(opts))
	}
	s, err := emulator.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatalf("emulatortest.New: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			var b strings.Builder
			_ = s.WriteSummary(&b)
			t.Logf("%s", b.String())
		}
		if err := s.Close(); err != nil {
			t.Errorf("closing the PagerDuty emulator: %v", err)
		}
	})
	return s
}
