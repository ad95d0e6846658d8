package emulator_test

import (
	"fmt"
	"testing"

	"github.com/fluxpd/fluxpd/internal/contract"
	"github.com/fluxpd/fluxpd/internal/emulator"
)

// TestEmulator_Timestamp_Contract posts a trigger with every timestamp of
// the shared table of internal/contract, which the sender is checked
// against too: the emulator must accept exactly the valid ones.
func TestEmulator_Timestamp_Contract(t *testing.T) {
	cases, err := contract.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	e := emulator.New(emulator.Options{})
	for _, c := range cases {
		t.Run(fmt.Sprintf("line %d %q", c.Line, c.Value), func(t *testing.T) {
			res, got := serve(t, e, "POST", emulator.EventsPath, trigger(set("payload.timestamp", c.Value)))
			switch {
			case c.Valid && res.StatusCode != 202:
				t.Errorf("POST with timestamp %q = %d %+v, want 202", c.Value, res.StatusCode, got)
			case !c.Valid && (res.StatusCode != 400 || len(got.Errors) != 1 || got.Errors[0] != errTime):
				t.Errorf("POST with timestamp %q = %d %+v, want 400 with only %q", c.Value, res.StatusCode, got, errTime)
			}
		})
	}
}
