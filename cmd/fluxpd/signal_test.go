package main

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/fluxpd/fluxpd/internal/testwait"
)

// TestWaitCommand checks how main answers signals while a command runs: the
// first Ctrl-C cancels (graceful), a second signal or SIGTERM on "run" exits
// at once with 130 or 143.
func TestWaitCommand(t *testing.T) {
	tests := []struct {
		name       string
		hardTerm   bool
		sigs       []os.Signal
		finishes   bool // the command returns after the signals
		wantCode   int
		wantCancel bool
		wantStderr string
	}{
		{"no signal", true, nil, true, 7, false, ""},
		{"first Ctrl-C cancels and waits", true, []os.Signal{os.Interrupt}, true, 7, true, "stopping"},
		{"second Ctrl-C exits at once", true, []os.Signal{os.Interrupt, os.Interrupt}, false, exitInterrupted, true, "interrupted again"},
		{"SIGTERM on run exits at once", true, []os.Signal{syscall.SIGTERM}, false, exitTerminated, true, "terminated (SIGTERM)"},
		{"SIGTERM on the emulator is graceful", false, []os.Signal{syscall.SIGTERM}, true, 7, true, "stopping"},
		{"Ctrl-C then SIGTERM exits at once", false, []os.Signal{os.Interrupt, syscall.SIGTERM}, false, exitTerminated, true, "terminated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan int, 1)
			sigs := make(chan os.Signal, len(tc.sigs))
			for _, s := range tc.sigs {
				sigs <- s
			}
			if tc.finishes {
				go func() {
					// The command ends on its own, or (when signalled) once
					// its context is cancelled, as a graceful stop does.
					if len(tc.sigs) > 0 {
						<-ctx.Done()
					}
					done <- 7
				}()
			}
			var stderr strings.Builder
			got := make(chan int, 1)
			go func() { got <- waitCommand(done, sigs, cancel, tc.hardTerm, &stderr) }()
			if code := testwait.Recv(t, "waitCommand to return", got); code != tc.wantCode {
				t.Errorf("code %d; want %d", code, tc.wantCode)
			}
			if (ctx.Err() != nil) != tc.wantCancel {
				t.Errorf("context cancelled: %v; want %v", ctx.Err() != nil, tc.wantCancel)
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.wantStderr)
			}
		})
	}
}
