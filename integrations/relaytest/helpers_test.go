package relaytest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// The binaries the tests run are built once per test process, when a test
// first needs them, into binDir.
var (
	binDir  string
	binOnce sync.Once
	binErr  error

	fluxpdOnce sync.Once
	fluxpdPath string
	fluxpdErr  error

	stockOnce sync.Once
	stockPath string
	stockErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildDir returns the directory the binaries are built into.
func buildDir(t *testing.T) (root, dir string) {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "relaytest-bin-"); binErr != nil {
			return
		}
	})
	if binErr != nil {
		t.Fatalf("making a directory for the test binaries: %v", binErr)
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root, binDir
}

// fluxpdBin builds cmd/fluxpd, with the race detector when this test runs
// under it, and returns its path.
func fluxpdBin(t *testing.T) string {
	t.Helper()
	root, dir := buildDir(t)
	fluxpdOnce.Do(func() { fluxpdPath, fluxpdErr = BuildFluxpd(root, dir, RaceBuild) })
	if fluxpdErr != nil {
		t.Fatalf("building fluxpd: %v", fluxpdErr)
	}
	return fluxpdPath
}

// stockFluxBin builds bench/upstream/cmd/upstreamflux, stock Flux v0.65.1,
// and returns its path.
func stockFluxBin(t *testing.T) string {
	t.Helper()
	root, dir := buildDir(t)
	stockOnce.Do(func() { stockPath, stockErr = BuildUpstreamFlux(root, dir) })
	if stockErr != nil {
		t.Fatalf("building stock Flux v0.65.1 (bench/upstream/cmd/upstreamflux): %v", stockErr)
	}
	return stockPath
}

// startUpstream starts an emulator on loopback for the test.
func startUpstream(t *testing.T, opts emulator.Options) *Upstream {
	t.Helper()
	up, err := StartUpstream(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() { _ = up.Close() })
	return up
}

// relayEnv shortens the outbox's redelivery backoff, so that the tests
// wait milliseconds, not the operator's default, between attempts.
var relayEnv = []string{"FLUXPD_OUTBOX_RETRY=50ms", "FLUXPD_OUTBOX_RETRY_MAX=500ms"}

// startRelay starts `fluxpd relay` in front of up, with an outbox in the
// test's directory, pacing off and the short backoff, and kills it at the
// end of the test unless it was stopped. secrets are masked in its output.
func startRelay(t *testing.T, up *Upstream, secrets []string, args ...string) *Relay {
	t.Helper()
	r, err := StartRelay(RelayConfig{
		Bin:      fluxpdBin(t),
		Outbox:   filepath.Join(t.TempDir(), "relay.db"),
		Upstream: up.URL,
		Args:     append([]string{"--rate", "off"}, args...),
		Env:      relayEnv,
		Limit:    testwait.Limit(),
		Secrets:  secrets,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !r.Exited() {
			_ = r.Kill()
		}
	})
	return r
}

// stopRelay stops r with SIGTERM, fails the test unless it exits 0, and
// checks that it printed nothing more on standard output and no routing
// key anywhere.
func stopRelay(t *testing.T, r *Relay) {
	t.Helper()
	if err := r.Stop(); err != nil {
		t.Error(err)
	}
	if extra := r.ExtraStdout(); extra != "" {
		t.Errorf("fluxpd relay printed more than its listening line on standard output: %q", extra)
	}
	if n := r.LeakedSecrets(); n > 0 {
		t.Errorf("fluxpd relay's output shows %d routing keys unmasked", n)
	}
}
