package e2e

// The InfluxDB builds' outbox, as both scenarios check it.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// outboxMode is the file mode of an outbox: it holds routing keys.
const outboxMode = 0o600

// startLine starts the line the servers log at start-up with the outbox's
// path (integrations/influxd{,2}/fluxpd.go).
const startLine = "fluxpd native pagerduty"

// OutboxOnByDefault checks that the outbox at path exists with mode 0600
// and that the start-up line of the server's log (logFile) names it. It
// returns what it saw.
func OutboxOnByDefault(path, logFile string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if mode := st.Mode().Perm(); mode != outboxMode {
		return "", fmt.Errorf("%s has mode %o, want %o", path, mode, outboxMode)
	}
	lines, err := LogLines(logFile, startLine)
	if err != nil {
		return "", err
	}
	for _, l := range lines {
		if strings.Contains(l[strings.Index(l, startLine):], "outbox="+path) {
			return fmt.Sprintf("%s (mode %o), in the start-up line", path, outboxMode), nil
		}
	}
	return "", fmt.Errorf("no %q line naming outbox=%s in %s; lines: %q", startLine, path, logFile, lines)
}

// OutboxStats runs "fluxpd outbox stats --outbox path" with the fluxpd
// binary at fluxpd, and returns its output and whether it says nothing is
// pending. A failure of the command is an error that quotes its output.
func OutboxStats(fluxpd, path string) (string, bool, error) {
	out, err := exec.Command(fluxpd, "outbox", "stats", "--outbox", path).CombinedOutput()
	if err != nil {
		return "", false, fmt.Errorf("%s outbox stats --outbox %s: %v: %s", fluxpd, path, err, out)
	}
	stats := string(out)
	for _, l := range strings.Split(stats, "\n") {
		if strings.HasPrefix(l, "pending: 0 ") {
			return stats, true, nil
		}
	}
	return stats, false, nil
}

// LogLines returns the lines of the file at path that contain text.
func LogLines(path, text string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), maxLogLine)
	for sc.Scan() {
		if strings.Contains(sc.Text(), text) {
			lines = append(lines, sc.Text())
		}
	}
	return lines, sc.Err()
}

// maxLogLine bounds a log line LogLines reads, in bytes: InfluxDB logs a
// failed query's whole script on one line.
const maxLogLine = 4 << 20
