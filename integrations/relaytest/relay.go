package relaytest

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// listeningLine is the one line `fluxpd relay` prints on standard output
// once it accepts requests.
var listeningLine = regexp.MustCompile(`^fluxpd relay listening on (http://\S+) \(upstream (.+), outbox (.+)\)$`)

// RelayConfig starts one `fluxpd relay` process.
type RelayConfig struct {
	Bin      string   // the fluxpd binary
	Addr     string   // --addr; empty means 127.0.0.1:0
	Outbox   string   // --outbox
	Upstream string   // --upstream, a base URL such as the emulator's
	Args     []string // more flags, such as --rate off
	Env      []string // added to the environment, such as FLUXPD_OUTBOX_RETRY=50ms
	// Limit bounds the wait for the listening line (and, in Stop, for the
	// exit); it exists against hangs, never to measure start-up.
	Limit time.Duration
	// Secrets, the routing keys of the test, are masked in the relay's
	// output wherever it is quoted (Stderr, errors).
	Secrets []string
}

// Relay is a running `fluxpd relay` process.
type Relay struct {
	URL      string // http://HOST:PORT, from the listening line
	Upstream string // as the listening line says it
	Outbox   string // as the listening line says it

	cfg    RelayConfig
	cmd    *exec.Cmd
	stdout stdoutBuffer
	stderr lockedBuffer
	exited chan struct{} // closed once Wait returned
	err    error         // what Wait returned
}

// StartRelay starts a relay and waits for its listening line. A relay
// that exits first, or prints something else, is an error with its
// standard error.
func StartRelay(c RelayConfig) (*Relay, error) {
	addr := c.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	args := append([]string{"relay", "--addr", addr, "--outbox", c.Outbox, "--upstream", c.Upstream}, c.Args...)
	r := &Relay{cfg: c, cmd: exec.Command(c.Bin, args...), exited: make(chan struct{})}
	r.stdout.first = make(chan string, 1)
	r.cmd.Env = append(childEnv(), c.Env...)
	// Writers, not pipes: Wait then waits until exec has copied all of the
	// output, and may run while it is being written.
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", c.Bin, err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.exited) }()
	return r, r.awaitListening(r.stdout.first)
}

func (r *Relay) awaitListening(lines <-chan string) error {
	timer := time.NewTimer(r.cfg.Limit)
	defer timer.Stop()
	select {
	case line := <-lines:
		m := listeningLine.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
		if m == nil {
			_ = r.Kill()
			return fmt.Errorf("fluxpd relay printed %q on standard output, want %q; its standard error:\n%s",
				redact.String(line, r.cfg.Secrets...), "fluxpd relay listening on http://HOST:PORT (upstream URL, outbox PATH)", r.Stderr())
		}
		r.URL, r.Upstream, r.Outbox = m[1], m[2], m[3]
		return nil
	case <-r.exited:
		return fmt.Errorf("fluxpd relay exited before it listened (%v); its standard error:\n%s", r.err, r.Stderr())
	case <-timer.C:
		_ = r.Kill()
		return fmt.Errorf("gave up after %s waiting for fluxpd relay's listening line; its standard error:\n%s", r.cfg.Limit, r.Stderr())
	}
}

// HostPort is the address the relay listens on, such as 127.0.0.1:40123,
// for a restart on the same address.
func (r *Relay) HostPort() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Pid is the relay's process id.
func (r *Relay) Pid() int { return r.cmd.Process.Pid }

// Stderr is what the relay logged so far, the config's Secrets masked.
func (r *Relay) Stderr() string { return redact.String(r.stderr.String(), r.cfg.Secrets...) }

// LeakedSecrets returns how many of the config's Secrets appear unmasked
// in the relay's standard error or standard output; never which.
func (r *Relay) LeakedSecrets() int {
	all := r.stderr.String() + r.stdout.String()
	n := 0
	for _, s := range r.cfg.Secrets {
		if strings.Contains(all, s) {
			n++
		}
	}
	return n
}

// ExtraStdout is what the relay printed on standard output after its
// listening line: nothing, by its contract.
func (r *Relay) ExtraStdout() string {
	all := r.stdout.String()
	if i := strings.IndexByte(all, '\n'); i >= 0 {
		return all[i+1:]
	}
	return ""
}

// Kill kills the relay with SIGKILL and waits until it is gone (reaped, so
// that no zombie holds its pid, which the outbox's lease looks at).
func (r *Relay) Kill() error {
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-r.exited
	return nil
}

// Stop sends SIGTERM and waits for the relay to exit, bounded by the
// config's Limit (then it is killed). An exit status other than 0 is an
// error with the relay's standard error.
func (r *Relay) Stop() error {
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	timer := time.NewTimer(r.cfg.Limit)
	defer timer.Stop()
	select {
	case <-r.exited:
	case <-timer.C:
		_ = r.Kill()
		return fmt.Errorf("fluxpd relay still running %s after SIGTERM; killed; its standard error:\n%s", r.cfg.Limit, r.Stderr())
	}
	if r.err != nil {
		return fmt.Errorf("fluxpd relay exited after SIGTERM with %v, want status 0; its standard error:\n%s", r.err, r.Stderr())
	}
	return nil
}

// Exited reports whether the process has exited.
func (r *Relay) Exited() bool {
	select {
	case <-r.exited:
		return true
	default:
		return false
	}
}

// childEnv is this process's environment with loopback kept off any proxy.
func childEnv() []string {
	return append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
}

// stdoutBuffer keeps a process's standard output and sends its first
// line, once complete, on first.
type stdoutBuffer struct {
	lockedBuffer
	first chan string // buffered: one line
	sent  bool
}

func (s *stdoutBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if !s.sent {
		if first, _, ok := strings.Cut(s.b.String(), "\n"); ok {
			s.first <- first + "\n"
			s.sent = true
		}
	}
	return n, err
}

// lockedBuffer is a bytes.Buffer safe for a process's writes and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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
