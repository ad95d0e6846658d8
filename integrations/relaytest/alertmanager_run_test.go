package relaytest

// Running a real Alertmanager for TestAlertmanager_ThroughRelay_AcrossOutage.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// alertmanagerVersion is the Alertmanager the tests are written for: the
// newest that `go install` builds (v0.35.0's UI assets are not in its
// module).
const alertmanagerVersion = "0.28.1"

// alertmanagerInstall is how CI installs it (.ci/run).
const alertmanagerInstall = "go install github.com/prometheus/alertmanager/cmd/alertmanager@v" + alertmanagerVersion

// amKey is the routing key of the Alertmanager test: a placeholder.
var amKey = RoutingKey(7002)

// alertmanagerBin returns the alertmanager binary `go install` put in
// $(go env GOPATH)/bin, or one on PATH. Missing, it fails the test in CI
// (CI=true), where .ci/run installs it, and skips it elsewhere; both say
// how to install it.
func alertmanagerBin(t *testing.T) string {
	t.Helper()
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "alertmanager")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("alertmanager"); err == nil {
		return p
	}
	msg := "no alertmanager binary in $(go env GOPATH)/bin or on PATH; install it with: " + alertmanagerInstall
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (.ci/run does; CI=true makes this a failure, not a skip)")
	}
	t.Skip(msg)
	return ""
}

// alertmanagerConfig routes every alert to a PagerDuty receiver whose url
// is the relay, with waits short enough for a test: a group is notified
// 100 ms after its first alert and again, for a change such as a resolve,
// 500 ms later at the earliest. resolve_timeout is long: the test resolves
// its alert itself, by posting it with endsAt in the past.
const alertmanagerConfig = `global:
  resolve_timeout: 1h
route:
  receiver: relay
  group_by: [alertname]
  group_wait: 100ms
  group_interval: 500ms
  repeat_interval: 1h
receivers:
- name: relay
  pagerduty_configs:
  - routing_key: %s
    url: %s
    send_resolved: true
`

// alertmanager is a running Alertmanager.
type alertmanager struct {
	url string
	log *lockedBuffer
}

// startAlertmanager starts bin on a free loopback port with its
// PagerDuty receiver pointed at eventsURL, clustering off, and waits until
// it is ready. It is killed at the end of the test.
func startAlertmanager(t *testing.T, bin, eventsURL string) *alertmanager {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, alertmanagerConfig, amKey, eventsURL), 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := e2e.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	am := &alertmanager{url: "http://127.0.0.1:" + strconv.Itoa(port), log: &lockedBuffer{}}
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:"+strconv.Itoa(port), "--cluster.listen-address=")
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = am.log, am.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if err := e2e.Wait(am.url+"/-/ready", testwait.Limit(), cmd.Process.Pid); err != nil {
		t.Fatalf("Alertmanager never became ready: %v; its log:\n%s", err, am.logText())
	}
	return am
}

func (am *alertmanager) logText() string { return redact.String(am.log.String(), amKey) }

// post sends one alert to Alertmanager's API; a zero endsAt leaves it
// firing, one in the past resolves it.
func (am *alertmanager) post(t *testing.T, startsAt, endsAt time.Time) {
	t.Helper()
	alert := map[string]any{
		"labels":      map[string]string{"alertname": "RelayDiskFull", "instance": "db01.example.com"},
		"annotations": map[string]string{"summary": "disk full on db01"},
		"startsAt":    startsAt.UTC().Format(time.RFC3339Nano),
	}
	if !endsAt.IsZero() {
		alert["endsAt"] = endsAt.UTC().Format(time.RFC3339Nano)
	}
	body, _ := json.Marshal([]any{alert})
	resp, err := http.Post(am.url+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s/api/v2/alerts: %v", am.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		t.Fatalf("POST %s/api/v2/alerts answered %s, want 200 OK: %s", am.url, resp.Status, b)
	}
}

// notifications returns Alertmanager's PagerDuty notifications sent and
// failed, from its /metrics.
func (am *alertmanager) notifications(t *testing.T) (sent, failed int) {
	t.Helper()
	resp, err := http.Get(am.url + "/metrics")
	if err != nil {
		t.Fatalf("GET %s/metrics: %v", am.url, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, `integration="pagerduty"`) {
			continue
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		switch {
		case strings.HasPrefix(line, "alertmanager_notifications_total{"):
			sent += int(v)
		case strings.HasPrefix(line, "alertmanager_notifications_failed_total{"):
			failed += int(v)
		}
	}
	return sent, failed
}
