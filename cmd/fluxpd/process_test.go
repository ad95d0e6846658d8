package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/testwait"
)

// TestProcess runs the fluxpd binary as a user does, built into a temporary
// directory, and checks how it starts and stops: "version" and "emulator"
// never pay Flux's start-up (several CPU-seconds of type inference), and
// signals stop "fluxpd run" promptly even while Flux is still initialising.
//
// Start-up is measured as the child's CPU time (user+sys from its
// ProcessState), not wall-clock time, so a loaded machine cannot fail it.
// For the same reason the signals are sent once the child has used a
// quarter of a whole run's CPU (so it is past installing its handler and
// inside Flux's start-up), and "at once" means it used little more CPU
// after the signal, not that it exited within some seconds.
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

	// The CPU of a process that never initialises Flux, and of a whole run
	// of a trivial script, as measured by the subtests below.
	var versionCPU, wholeRunCPU time.Duration

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
		versionCPU = cpu
		t.Logf("fluxpd version used %v CPU", cpu)
		if cpu > littleCPU {
			t.Errorf("fluxpd version used %v CPU; want well under %v: it must not initialise Flux", cpu, littleCPU)
		}
	})

	t.Run("emulator", func(t *testing.T) {
		cmd := exec.Command(bin, "emulator", "--addr", "127.0.0.1:0")
		stdout, lines := startLines(t, cmd)
		waitLine(t, stdout, lines, "fluxpd emulator listening on ")
		// The CPU it used until it listens, with its graceful stop.
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		err := waitExit(t, cmd, "fluxpd emulator to stop after SIGTERM")
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
		wholeRunCPU = cpu
		t.Logf("fluxpd run of a trivial script used %v CPU", cpu)
		if cpu < 3*littleCPU/2 {
			t.Errorf("fluxpd run used only %v CPU; expected Flux's start-up (several CPU-seconds)", cpu)
		}
	})

	// Flux's start-up takes several CPU-seconds and does not watch any
	// context: a signal that arrives while Flux initialises must stop
	// fluxpd at once.
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
			if runtime.GOOS != "linux" {
				t.Skip("reads the child's CPU time from /proc/PID/stat, which only Linux has")
			}
			if wholeRunCPU == 0 {
				t.Fatal("needs the CPU of a whole run, measured by the subtest \"run pays Flux's start-up\"")
			}
			// A quarter of a whole run: far more than fluxpd uses before
			// main installs its signal handler (all of "fluxpd version"),
			// far less than Flux's start-up.
			signalAt := wholeRunCPU / 4
			if signalAt < 4*versionCPU {
				t.Fatalf("a whole run used %v CPU, fluxpd version %v: too close to tell start-up from the rest", wholeRunCPU, versionCPU)
			}
			cmd := exec.Command(bin, "run", trivial)
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			var atSignal time.Duration
			testwait.Until(t, fmt.Sprintf("fluxpd run to use %v CPU (inside Flux's start-up)", signalAt), func() (bool, string) {
				cpu, state, err := procCPU(cmd.Process.Pid)
				seen := fmt.Sprintf("%v CPU, state %s, stdout %q, stderr %q", cpu, state, stdout.String(), stderr.String())
				if err != nil || state == "Z" {
					t.Fatalf("fluxpd run ended before it used %v CPU (%v); %s", signalAt, err, seen)
				}
				atSignal = cpu
				return cpu >= signalAt, seen
			})
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			sent := time.Now()
			waitExit(t, cmd, fmt.Sprintf("fluxpd run to exit after %v", tc.sig))
			atExit := cpuTime(cmd.ProcessState)
			t.Logf("exited %v after the signal, code %d, using %v CPU (%v at the signal; a whole run uses %v); stderr: %q",
				time.Since(sent).Round(time.Millisecond), cmd.ProcessState.ExitCode(), atExit, atSignal, wholeRunCPU, stderr.String())
			if got := cmd.ProcessState.ExitCode(); got != tc.code {
				t.Errorf("exit code %d; want %d (status %v)", got, tc.code, cmd.ProcessState)
			}
			if !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.msg)
			}
			if stdout.String() != "" {
				t.Errorf("the script ran to completion (stdout %q): the signal came too late to test anything", stdout.String())
			}
			// Stopping at once costs next to no CPU; finishing Flux's
			// start-up first would cost the rest of a whole run's.
			if after, rest := atExit-atSignal, wholeRunCPU-atSignal; after > rest/2 {
				t.Errorf("fluxpd used %v more CPU after the signal, of the %v a whole run would still have used: it went on initialising Flux instead of exiting at once", after, rest)
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

// procCPU returns the CPU time (user+sys, all threads) a running process
// has used so far and its state letter ("R", "S", "Z" for exited...), from
// /proc/PID/stat. The kernel counts in USER_HZ ticks, 100 a second on
// every Linux architecture.
func procCPU(pid int) (time.Duration, string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", err
	}
	// The fields after the command name, which is in parentheses and may
	// hold anything: state is the first, utime and stime the 12th and 13th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, "", fmt.Errorf("/proc/%d/stat has %d fields after the name: %q", pid, len(f), b)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, "", fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	const tick = time.Second / 100
	return time.Duration(utime+stime) * tick, f[0], nil
}

// waitLine waits for a line of the child's standard output that starts
// with prefix, failing the test, with the lines seen, if the output ends
// first (done is closed) or testwait.Limit passes.
func waitLine(t *testing.T, done <-chan struct{}, lines <-chan string, prefix string) {
	t.Helper()
	timer := time.NewTimer(testwait.Limit())
	defer timer.Stop()
	var seen []string
	for {
		select {
		case l := <-lines:
			if strings.HasPrefix(l, prefix) {
				return
			}
			seen = append(seen, l)
		case <-done:
			// Every line was sent before done was closed.
			for {
				select {
				case l := <-lines:
					if strings.HasPrefix(l, prefix) {
						return
					}
					seen = append(seen, l)
				default:
					t.Fatalf("the output ended without a line starting with %q; lines seen: %q", prefix, seen)
				}
			}
		case <-timer.C:
			t.Fatalf("gave up after %v waiting for a line starting with %q; lines seen: %q", testwait.Limit(), prefix, seen)
		}
	}
}

// waitExit waits for cmd to exit, killing it and failing the test if
// testwait.Limit passes first. It returns Wait's error.
func waitExit(t *testing.T, cmd *exec.Cmd, what string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(testwait.Limit())
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		cpu, state, perr := procCPU(cmd.Process.Pid)
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("gave up after %v waiting for %s; it was still running (%v CPU, state %s, %v)", testwait.Limit(), what, cpu, state, perr)
		return nil
	}
}
