package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/fluxpd/fluxpd/internal/testwait"
)

// lockedBuffer is a strings.Builder safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var listeningLine = regexp.MustCompile(`^fluxpd emulator listening on (http://127\.0\.0\.1:\d+) \(events: (\S+), change events: (\S+), inbox: (\S+)\)\n`)

func TestEmulatorCommand(t *testing.T) {
	const routingKey = "cmdT0123456789abcdefghijklmnopQZ"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- emulatorCommand(ctx, []string{"--addr", "127.0.0.1:0", "--rate-limit", "100", "--latency", "1ms",
			"--read-timeout", "1m", "--write-timeout", "1m", "--idle-timeout", "1m", "--read-header-timeout", "1m", "--max-conns", "4"}, &stdout, &stderr)
	}()

	m := waitListening(t, &stdout, &stderr, done)
	base := m[1]
	if m[2] != base+"/v2/enqueue" || m[3] != base+"/v2/change/enqueue" || m[4] != base+"/" {
		t.Errorf("listening line: %q", m[0])
	}

	body := `{"routing_key":"` + routingKey + `","event_action":"trigger","dedup_key":"cmd-test","payload":{"summary":"CLI test","source":"test","severity":"info"}}`
	res, err := http.Post(m[2], "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Errorf("status %d, want 202", res.StatusCode)
	}

	cancel()
	if err := testwait.Recv(t, "emulatorCommand to stop once cancelled", done); err != nil {
		t.Errorf("emulatorCommand returned %v", err)
	}
	log := stderr.String()
	if !strings.Contains(log, `202 trigger routing_key=cmdT**************************QZ dedup_key="cmd-test"`) {
		t.Errorf("stderr lacks the request's log line:\n%s", log)
	}
	if !strings.Contains(stdout.String(), "1 event received (1 accepted)") {
		t.Errorf("stdout lacks the summary:\n%s", stdout.String())
	}
	if strings.Contains(log+stdout.String(), routingKey) {
		t.Errorf("the routing key leaked:\n%s\n%s", log, stdout.String())
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Errorf("the emulator still answers after the command returned")
	}
}

func TestEmulatorCommand_Flags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr error
		stderr  string
	}{
		{"help", []string{"-h"}, flag.ErrHelp, ""}, // the usage goes to stdout: TestHelp_ToStdout
		{"unknown flag", []string{"--port", "1"}, errUsage, "flag provided but not defined: -port"},
		{"argument", []string{"extra"}, errUsage, `fluxpd emulator: takes no arguments (only flags); got extra`},
		{"negative rate limit", []string{"--rate-limit", "-1"}, errUsage, "--rate-limit must be 0 (no limit) or more; got -1"},
		{"bad latency", []string{"--latency", "soon"}, errUsage, `invalid value "soon" for flag -latency`},
		{"negative latency", []string{"--latency", "-1s"}, errUsage, "--latency must not be negative; got -1s"},
		{"zero read timeout", []string{"--read-timeout", "0s"}, errUsage, "--read-timeout must be a positive duration such as 30s; got 0s"},
		{"negative idle timeout", []string{"--idle-timeout", "-1m"}, errUsage, "--idle-timeout must be a positive duration such as 30s; got -1m0s"},
		{"zero max conns", []string{"--max-conns", "0"}, errUsage, "--max-conns must be 1 or more; got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr lockedBuffer
			err := emulatorCommand(context.Background(), tt.args, &stdout, &stderr)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
		})
	}
}

func TestEmulatorCommand_AddressInUse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out1, err1 lockedBuffer
	done := make(chan error, 1)
	go func() { done <- emulatorCommand(ctx, []string{"--addr", "127.0.0.1:0"}, &out1, &err1) }()
	m := waitListening(t, &out1, &err1, done)
	addr := strings.TrimPrefix(m[1], "http://")
	err := emulatorCommand(context.Background(), []string{"--addr", addr}, &lockedBuffer{}, &lockedBuffer{})
	if err == nil || !strings.Contains(err.Error(), "failed to start the PagerDuty emulator") {
		t.Errorf("second emulator on %s: error %v", addr, err)
	}
	cancel()
	if err := testwait.Recv(t, "the first emulator to stop once cancelled", done); err != nil {
		t.Errorf("first emulator: %v", err)
	}
}

// waitListening waits until emulatorCommand, running in the background and
// returning on done, prints its listening line on stdout, and returns the
// line's submatches. It fails the test if the command returns first.
func waitListening(t *testing.T, stdout, stderr *lockedBuffer, done <-chan error) []string {
	t.Helper()
	var m []string
	testwait.Until(t, "the emulator's listening line", func() (bool, string) {
		if m = listeningLine.FindStringSubmatch(stdout.String()); m != nil {
			return true, ""
		}
		select {
		case err := <-done:
			t.Fatalf("emulatorCommand returned %v before listening; stdout %q, stderr %q", err, stdout.String(), stderr.String())
		default:
		}
		return false, fmt.Sprintf("stdout %q, stderr %q", stdout.String(), stderr.String())
	})
	return m
}
