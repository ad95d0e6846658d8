package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

var relayLine = regexp.MustCompile(`^fluxpd relay listening on (http://127\.0\.0\.1:\d+) \(upstream (\S+), outbox (\S+)\)\n$`)

// relayKey is a fake routing key.
const relayKey = "rlyT0123456789abcdefghijklmnopQZ"

// TestRelayCommand runs fluxpd relay in-process: it prints its one line
// on standard output, relays an event, lets fluxpd outbox list, stats,
// drop and flush work on its file while it runs, and stops cleanly when
// cancelled, never showing the routing key.
func TestRelayCommand(t *testing.T) {
	emu := emulatortest.New(t)
	path := filepath.Join(t.TempDir(), "relay.db")
	t.Setenv(host.OutboxRetryEnv, "20ms")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- relayCommand(ctx, []string{"--addr", "127.0.0.1:0", "--upstream", emu.URL(), "--outbox", path, "--rate", "off", "--log-format", "json"}, &stdout, &stderr)
	}()
	var m []string
	testwait.Until(t, "the relay's listening line", func() (bool, string) {
		m = relayLine.FindStringSubmatch(stdout.String())
		return m != nil, fmt.Sprintf("stdout %q, stderr %q", stdout.String(), stderr.String())
	})
	if m[2] != emu.URL() || m[3] != path {
		t.Errorf("listening line %q: want upstream %s and outbox %s", m[0], emu.URL(), path)
	}
	if code := postRelay(t, m[1], "delivered"); code != http.StatusAccepted {
		t.Fatalf("POST: %d, want 202", code)
	}
	testwait.Until(t, "the event delivered", func() (bool, string) {
		return len(emu.Requests()) == 1, fmt.Sprintf("%d requests upstream", len(emu.Requests()))
	})

	// Events wait during an outage; the outbox commands share the file.
	if err := emu.StartOutage(emulator.Outage{For: 2 * testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	postRelay(t, m[1], "waiting-1")
	postRelay(t, m[1], "waiting-2")
	var out, errOut lockedBuffer
	for _, args := range [][]string{{"stats"}, {"list"}, {"drop", "--dedup-key", "waiting-2"}} {
		if err := outboxCommand(ctx, append(args, "--outbox", path), &out, &errOut); err != nil {
			t.Errorf("fluxpd outbox %s while the relay runs: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
	}
	if !strings.Contains(out.String(), "waiting-1") || !strings.Contains(out.String(), "dropped 1") {
		t.Errorf("fluxpd outbox output:\n%s", out.String())
	}
	emu.EndOutage()
	// The relay's own flusher may hold the event when a flush looks (its
	// lease), so flush until nothing is left, whoever delivers it.
	testwait.Until(t, "fluxpd outbox flush, beside the relay's own flusher, to find nothing pending", func() (bool, string) {
		var fo, fe lockedBuffer
		err := outboxCommand(ctx, []string{"flush", "--outbox", path}, &fo, &fe)
		fmt.Fprint(&out, fo.String())
		fmt.Fprint(&errOut, fe.String())
		return err == nil, fmt.Sprintf("%v: %s%s", err, fo.String(), fe.String())
	})

	cancel()
	if err := testwait.Recv(t, "relayCommand to stop once cancelled", done); err != nil {
		t.Errorf("relayCommand returned %v", err)
	}
	all := stdout.String() + stderr.String() + out.String() + errOut.String()
	if strings.Contains(all, relayKey) {
		t.Errorf("the routing key leaked:\n%s", all)
	}
	if !strings.Contains(stderr.String(), `"msg":"relay: stopped"`) {
		t.Errorf("stderr: want JSON log lines ending with the stop:\n%s", stderr.String())
	}
}

func postRelay(t *testing.T, base, dedupKey string) int {
	t.Helper()
	body := `{"routing_key":"` + relayKey + `","event_action":"trigger","dedup_key":"` + dedupKey + `","payload":{"summary":"relay CLI test","source":"test","severity":"info"}}`
	res, err := http.Post(base+"/v2/enqueue", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestRelayCommand_Refusals: flags and settings that cannot work stop
// fluxpd relay before it listens, saying which and why.
func TestRelayCommand_Refusals(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if err := os.WriteFile(keys, []byte("# the on-call service\nPAGERDUTY_KEY="+relayKey+"\nshort\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  string // $FLUXPD_OUTBOX_RETRY
		want string // in the error, or "usage" for a usage error
	}{
		{"argument", []string{"extra"}, "", "usage"},
		{"commit", []string{"--commit", "sometimes"}, "", "--commit must be group or each"},
		{"rate", []string{"--rate", "fast"}, "", "--rate must be N/PERIOD"},
		{"open relay", []string{"--addr", "0.0.0.0:0"}, "", "anyone who can reach it could page"},
		{"allow-keys missing", []string{"--allow-keys", filepath.Join(dir, "none")}, "", "--allow-keys: open"},
		{"allow-keys bad key", []string{"--allow-keys", keys}, "", "--allow-keys " + keys + ":3: not an integration key"},
		{"tls half", []string{"--tls-key", "k.pem"}, "", "--tls-cert and --tls-key go together"},
		{"retry env", nil, "soon", "$FLUXPD_OUTBOX_RETRY=\"soon\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(host.OutboxRetryEnv, tt.env)
			var stdout, stderr lockedBuffer
			args := append([]string{"--outbox", filepath.Join(t.TempDir(), "r.db"), "--upstream", "http://127.0.0.1:1"}, tt.args...)
			err := relayCommand(context.Background(), args, &stdout, &stderr)
			switch {
			case tt.want == "usage":
				if !errors.Is(err, errUsage) {
					t.Errorf("relayCommand(%q) = %v, want a usage error", tt.args, err)
				}
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Errorf("relayCommand(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
			if stdout.String() != "" {
				t.Errorf("stdout %q, want nothing (the relay never listened)", stdout.String())
			}
			if err != nil && strings.Contains(err.Error(), relayKey) {
				t.Errorf("the error shows a routing key: %v", err)
			}
		})
	}
}

// TestRelayProcess_Signals runs the fluxpd binary's relay and stops it
// with SIGTERM, then SIGINT: each time it stops gracefully, exit code 0.
func TestRelayProcess_Signals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the fluxpd binary")
	}
	bin := filepath.Join(t.TempDir(), "fluxpd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	emu := emulatortest.New(t)
	path := filepath.Join(t.TempDir(), "relay.db")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := exec.Command(bin, "relay", "--addr", "127.0.0.1:0", "--upstream", emu.URL(), "--outbox", path)
		var stderr lockedBuffer
		cmd.Stderr = &stderr
		done, lines := startLines(t, cmd)
		waitLine(t, done, lines, "fluxpd relay listening on http://127.0.0.1:")
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if err := waitExit(t, cmd, "fluxpd relay after "+sig.String()); err != nil {
			t.Errorf("fluxpd relay after %s: %v; want exit code 0. stderr:\n%s", sig, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "relay: stopped") {
			t.Errorf("after %s, stderr lacks the stop line:\n%s", sig, stderr.String())
		}
	}
}
