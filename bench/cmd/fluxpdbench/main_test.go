package main

import (
	"context"
	"io"
	"testing"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

// TestScenarios runs every fluxpd scenario once over a few rows, so that
// a change that breaks the harness or makes a scenario send wrong events
// fails here rather than in the middle of `make bench`.
func TestScenarios(t *testing.T) {
	tests := []struct {
		name string
		c    harness.Config
	}{
		{"floor", harness.Config{Scenario: "floor"}},
		{"floor concurrent", harness.Config{Scenario: "floor", Concurrency: 4}},
		{"floor touching memory", harness.Config{Scenario: "floor", TouchKiB: 4}},
		{"mapconst", harness.Config{Scenario: "mapconst"}},
		{"sendevent", harness.Config{Scenario: "sendevent"}},
		{"endpoint", harness.Config{Scenario: "endpoint"}},
		{"endpoint concurrency 1", harness.Config{Scenario: "endpoint", Concurrency: 1}},
		{"nosend inline", harness.Config{Scenario: "nosend", Inline: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.N, tt.c.Reps = 10, 1
			res, err := harness.Run(context.Background(), "fluxpd", tt.c, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Reps) != 1 || res.Reps[0].Nanos <= 0 {
				t.Errorf("Reps = %+v, want one timed repetition", res.Reps)
			}
		})
	}
}
