package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProcess runs the fluxpd binary as a user does, built into a temporary
// directory, and checks how it starts and stops: "version" and "emulator"
// never pay Flux's start-up (several CPU-seconds of type inference), and
// signals stop "fluxpd run" promptly even while Flux is still initialising.
//
// Start-up is measured as the child's CPU time (user+sys from its
// ProcessState), not wall-clock time, so a loaded machine cannot fail it.
func TestProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the fluxpd binary")
	}
	bin := filepath.Join(t.TempDir(), "fluxpd")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	trivial := writeScript(t, "1 + 1\n")

	// littleCPU is far below Flux's start-up, which costs 4-5 CPU-seconds.
	const littleCPU = time.Second

	t.Run("version", func(t *testing.T) {
		cmd := exec.Command(bin, "version")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("fluxpd version: %v", err)
		}
		if !strings.HasPrefix(string(out), "fluxpd ") || !strings.Contains(string(out), "(flux v") {
			t.Errorf("fluxpd version printed %q", out)
		}
		cpu := cpuTime(cmd.ProcessState)
		t.Logf("fluxpd version used %v CPU", cpu)
		if cpu > littleCPU {
			t.Errorf("fluxpd version used %v CPU; want well under %v: it must not initialise Flux", cpu, littleCPU)
		}
	})

	t.Run("emulator", func(t *testing.T) {
		cmd := exec.Command(bin, "emulator", "--addr", "127.0.0.1:0")
		stdout, lines := startLines(t, cmd)
		waitLine(t, lines, "fluxpd emulator listening on ", 30*time.Second)
		// The CPU it used until it listens, with its graceful stop.
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		err := waitExit(t, cmd, 10*time.Second)
		if err != nil {
			t.Errorf("fluxpd emulator stopped by SIGTERM: %v (want exit code 0, a graceful stop)", err)
		}
		<-stdout
		cpu := cpuTime(cmd.ProcessState)
		t.Logf("fluxpd emulator used %v CPU to start, listen and stop", cpu)
		if cpu > littleCPU {
			t.Errorf("fluxpd emulator used %v CPU; want well under %v: it must not initialise Flux", cpu, littleCPU)
		}
	})

	t.Run("run pays Flux's start-up", func(t *testing.T) {
		// Shows the measure is meaningful: running a script does initialise
		// Flux, at a cost far above what version and emulator use.
		cmd := exec.Command(bin, "run", trivial)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("fluxpd run: %v", err)
		}
		if strings.TrimSpace(string(out)) != "2" {
			t.Errorf("fluxpd run printed %q; want 2", out)
		}
		cpu := cpuTime(cmd.ProcessState)
		t.Logf("fluxpd run of a trivial script used %v CPU", cpu)
		if cpu < 3*littleCPU/2 {
			t.Errorf("fluxpd run used only %v CPU; expected Flux's start-up (several CPU-seconds)", cpu)
		}
	})

	// Flux's start-up takes several seconds (4-10 on a shared machine) and
	// does not watch any context: a signal sent soon after start arrives
	// while Flux initialises, and must stop fluxpd at once.
	signalled := []struct {
		name string
		sig  syscall.Signal
		code int
		msg  string
	}{
		{"SIGTERM while Flux initialises", syscall.SIGTERM, exitTerminated, "fluxpd: terminated"},
		{"Ctrl-C while Flux initialises", syscall.SIGINT, exitInterrupted, "fluxpd: interrupted"},
	}
	for _, tc := range signalled {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, "run", trivial)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Leave the Go runtime time to install fluxpd's signal handler
			// (milliseconds), far less than Flux's start-up.
			time.Sleep(500 * time.Millisecond)
			sent := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			waitExit(t, cmd, 3*time.Second)
			t.Logf("exited %v after the signal, code %d, using %v CPU; stderr: %q",
				time.Since(sent).Round(time.Millisecond), cmd.ProcessState.ExitCode(), cpuTime(cmd.ProcessState), stderr.String())
			if got := cmd.ProcessState.ExitCode(); got != tc.code {
				t.Errorf("exit code %d; want %d (status %v)", got, tc.code, cmd.ProcessState)
			}
			if !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.msg)
			}
			if stdout.Len() > 0 {
				t.Errorf("the script ran to completion (stdout %q): the signal came too late to test anything", stdout.String())
			}
		})
	}
}

func cpuTime(ps *os.ProcessState) time.Duration {
	return ps.UserTime() + ps.SystemTime()
}

// startLines starts cmd and sends each line of its standard output on lines;
// the returned channel is closed when the output ends.
func startLines(t *testing.T, cmd *exec.Cmd) (done <-chan struct{}, lines <-chan string) {
	t.Helper()
	r, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	ch := make(chan string, 100)
	d := make(chan struct{})
	go func() {
		defer close(d)
		s := bufio.NewScanner(r)
		for s.Scan() {
			select {
			case ch <- s.Text():
			default:
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	return d, ch
}

func waitLine(t *testing.T, lines <-chan string, prefix string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l := <-lines:
			if strings.HasPrefix(l, prefix) {
				return
			}
		case <-deadline:
			t.Fatalf("no line starting with %q within %v", prefix, timeout)
		}
	}
}

// waitExit waits for cmd to exit, killing it and failing the test if it
// takes longer than timeout. It returns Wait's error.
func waitExit(t *testing.T, cmd *exec.Cmd, timeout time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running %v after the signal", timeout)
		return nil
	}
}
