package main

// What the server does at start: refuse bad settings with a clear message,
// and keep its outbox next to --bolt-path by default.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// badURLMessage is what the server must say when FLUXPD_PAGERDUTY_URL is
// not a URL it can send to.
var badURLMessage = regexp.MustCompile(`refusing to start: .*PagerDuty URL.*FLUXPD_PAGERDUTY_URL`)

func (s *runner) refusesBadURL() {
	s.Say("a bad FLUXPD_PAGERDUTY_URL: the server must refuse to start")
	out, err := s.refusesToStart("refused-url", "FLUXPD_PAGERDUTY_URL=127.0.0.1:9/v2/enqueue")
	if err == nil && !badURLMessage.MatchString(out) {
		err = fmt.Errorf("no clear message for a bad FLUXPD_PAGERDUTY_URL (want %s); its output:\n%s", badURLMessage, orNone(out))
	}
	s.CheckSeen("a bad FLUXPD_PAGERDUTY_URL (no scheme) stops the server at start with a clear message", firstLine(out), err)
}

func (s *runner) refusesOutboxDir() {
	s.Say("FLUXPD_OUTBOX naming a directory: the server must refuse to start")
	dir := filepath.Join(s.tmp, "not-a-file")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.Check("FLUXPD_OUTBOX naming a directory stops the server at start, naming the outbox", err)
		return
	}
	out, err := s.refusesToStart("refused-outbox", "FLUXPD_OUTBOX="+dir)
	if want := "refusing to start: cannot open the pagerduty outbox " + dir; err == nil && !strings.Contains(out, want) {
		err = fmt.Errorf("no clear message naming the outbox path (want %q); its output:\n%s", want, orNone(out))
	}
	s.CheckSeen("FLUXPD_OUTBOX naming a directory stops the server at start, naming the outbox", firstLine(out), err)
}

// refusesToStart starts influxd2-fluxpd with setting (VAR=VALUE) on a free
// port, its state under tmp/name, and returns its output once it has
// exited non-zero (saved as an answer, for the key scan).
func (s *runner) refusesToStart(name, setting string) (string, error) {
	port, err := e2e.FreePort()
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	state := filepath.Join(s.tmp, name)
	if err := os.MkdirAll(state, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command(s.influxd, "--http-bind-address="+addr, "--bolt-path="+filepath.Join(state, "influxd.bolt"),
		"--engine-path="+filepath.Join(state, "engine"), "--reporting-disabled")
	// INFLUXD_* would override the flags, the caller's FLUXPD_* the
	// settings under test.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INFLUXD_") && !strings.HasPrefix(kv, "FLUXPD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, setting)
	out, err := e2e.RefusesToStart(cmd, "http://"+addr+"/health")
	s.answers.Save(name+".log", []byte(out))
	return out, err
}

// orNone is a process's output, or says there was none.
func orNone(out string) string {
	if strings.TrimSpace(out) == "" {
		return "(none)"
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// outboxOnByDefault: <dir of --bolt-path>/fluxpd-outbox.db, mode 0600,
// named in the start-up log.
func (s *runner) outboxOnByDefault() {
	seen, err := e2e.OutboxOnByDefault(s.outbox, s.logFile)
	s.CheckSeen("the outbox is on by default at <dir of --bolt-path>/fluxpd-outbox.db (mode 600, in the start-up log)", seen, err)
}
