package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// These tests run "fluxpd send" in process, through run as main does. The
// routing key must never appear in what it prints: sendRun checks that for
// every run. They talk to nothing but 127.0.0.1: without --live, to the
// built-in emulator; with --live, to an emulator of the test, through a
// client that refuses every other address.

// sendKey is a placeholder routing key: 32 characters, as PagerDuty's are.
const sendKey = "sndK0123456789abcdefghijklmnopQZ"

// sendResult is what one "fluxpd send" printed.
type sendResult struct {
	code           int
	stdout, stderr string
}

func (r sendResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// sendRun runs "fluxpd send" with args and fails t if any of secrets
// (sendKey, always) appears in its output.
func sendRun(t *testing.T, args []string, secrets ...string) sendResult {
	t.Helper()
	return sendRunCtx(t, context.Background(), &syncBuilder{}, args, secrets...)
}

func sendRunCtx(t *testing.T, ctx context.Context, stdout *syncBuilder, args []string, secrets ...string) sendResult {
	t.Helper()
	var stderr syncBuilder
	code := run(ctx, append([]string{"send"}, args...), strings.NewReader(""), stdout, &stderr)
	r := sendResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
	for _, s := range append(secrets, sendKey) {
		if s != "" && strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("the routing key %q was printed:\n%s", s, r)
		}
	}
	return r
}

// syncBuilder is a strings.Builder safe for concurrent use.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// writeKeyFile writes content to a file of mode 0600 and returns its path.
func writeKeyFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pd.key")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loopbackLive makes --live send through a client that refuses every
// address but 127.0.0.1, for the duration of the test.
func loopbackLive(t *testing.T) {
	prev := newLiveClient
	newLiveClient = func() *http.Client { return &http.Client{Transport: sendLoopbackOnly{}} }
	t.Cleanup(func() { newLiveClient = prev })
}

type sendLoopbackOnly struct{}

func (sendLoopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Hostname(); h != "127.0.0.1" {
		return nil, fmt.Errorf("test refused a request to %s: tests only talk to 127.0.0.1", h)
	}
	return http.DefaultTransport.RoundTrip(req)
}

func wantLines(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// generatedKey finds the generated dedup key in the output.
var generatedKey = regexp.MustCompile(`dedup key: (fluxpd-send-\d{8}T\d{6}Z-[0-9a-f]{8}) \(generated`)

func TestSend_DefaultTriggerToEmulator(t *testing.T) {
	r := sendRun(t, []string{"--routing-key-file", writeKeyFile(t, sendKey+"\n")})
	if r.code != 0 {
		t.Fatalf("want exit 0; %s", r)
	}
	m := generatedKey.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no generated dedup key printed:\n%s", r.stdout)
	}
	wantLines(t, "stdout", r.stdout,
		"Sending a test trigger to https://events.pagerduty.com/v2/enqueue, where the built-in emulator stands in for PagerDuty\n",
		`answer:    202 Accepted after 1 attempt: status "success", message "Event processed"`,
		`outcome:   accepted: PagerDuty opened or updated the alert with dedup key "`+m[1]+`"`,
		"PagerDuty emulator at http://127.0.0.1:",
		"PagerDuty emulator: 1 event received (1 accepted)",
		`#1 trigger dedup_key="`+m[1]+`" severity="info" summary="fluxpd test event: please ignore (sent by fluxpd send at `,
		"accepted (opened a new alert)",
		"The test event was accepted.\n",
	)
	if r.stderr != "" {
		t.Errorf("stderr: %q, want nothing", r.stderr)
	}
}

func TestSend_TriggerThenResolve(t *testing.T) {
	r := sendRun(t, []string{"--routing-key-file", writeKeyFile(t, sendKey+"\r\n"), "--resolve-after", "1ms", "--dedup-key", "send-test/db01", "--severity", "CRITICAL"})
	if r.code != 0 {
		t.Fatalf("want exit 0; %s", r)
	}
	wantLines(t, "stdout", r.stdout,
		"Waiting 1ms before the resolve",
		"Sending a test resolve to https://events.pagerduty.com/v2/enqueue",
		`accepted: PagerDuty resolved the alert with dedup key "send-test/db01"`,
		"PagerDuty emulator: 2 events received (2 accepted)",
		`#1 trigger dedup_key="send-test/db01" severity="critical"`,
		`#2 resolve dedup_key="send-test/db01" severity="critical"`,
		"All 2 test events were accepted.",
	)
	if strings.Contains(r.stdout, "dropped") {
		t.Errorf("the resolve found no open alert:\n%s", r.stdout)
	}
}

// TestSend_Live sends a trigger and its resolve with --live to an emulator
// of the test, whose state and received bodies it then checks.
func TestSend_Live(t *testing.T) {
	loopbackLive(t)
	emu := emulatortest.New(t)
	r := sendRun(t, []string{"--live", "--url", emu.EventsURL(), "--routing-key-file", writeKeyFile(t, sendKey), "--resolve-after", "1ms"})
	if r.code != 0 {
		t.Fatalf("want exit 0; %s", r)
	}
	m := generatedKey.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no generated dedup key printed:\n%s", r.stdout)
	}
	wantLines(t, "stdout", r.stdout, "Sending a test trigger to "+emu.EventsURL()+"\n", "All 2 test events were accepted.")
	if strings.Contains(r.stdout, "PagerDuty emulator at") {
		t.Errorf("--live printed the built-in emulator's summary:\n%s", r.stdout)
	}
	alerts := emu.Alerts()
	if len(alerts) != 1 || alerts[0].DedupKey != m[1] || alerts[0].Status != emulator.StatusResolved || alerts[0].RoutingKey != sendKey {
		t.Fatalf("alerts = %+v; want one resolved alert with dedup key %s", alerts, m[1])
	}
	reqs := emu.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	host, _ := os.Hostname()
	for i, action := range []string{"trigger", "resolve"} {
		var got struct {
			EventAction, DedupKey, Client, Source, Severity string
			Test                                            bool
		}
		var body struct {
			EventAction string `json:"event_action"`
			DedupKey    string `json:"dedup_key"`
			Client      string `json:"client"`
			Payload     struct {
				Source, Severity, Summary string
				CustomDetails             map[string]any `json:"custom_details"`
			}
		}
		if err := json.Unmarshal(reqs[i].Body, &body); err != nil {
			t.Fatal(err)
		}
		got.EventAction, got.DedupKey, got.Client = body.EventAction, body.DedupKey, body.Client
		got.Source, got.Severity, got.Test = body.Payload.Source, body.Payload.Severity, body.Payload.CustomDetails["test"] == true
		want := got
		want.EventAction, want.DedupKey, want.Client, want.Source, want.Severity, want.Test = action, m[1], "fluxpd send", host, "info", true
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s body (-want +got):\n%s", action, diff)
		}
		if ua := reqs[i].Header.Get("User-Agent"); !strings.HasPrefix(ua, "fluxpd/") {
			t.Errorf("User-Agent %q", ua)
		}
	}
}

func TestSend_Change(t *testing.T) {
	t.Run("emulator", func(t *testing.T) {
		r := sendRun(t, []string{"--routing-key-file", writeKeyFile(t, sendKey), "--change", "--summary", "Deployed api v1.4.2 (test)"})
		if r.code != 0 {
			t.Fatalf("want exit 0; %s", r)
		}
		wantLines(t, "stdout", r.stdout,
			"Sending a test change event to https://events.pagerduty.com/v2/change/enqueue",
			"accepted: PagerDuty recorded a change event",
			`#1 change summary="Deployed api v1.4.2 (test)": accepted`,
		)
		if strings.Contains(r.stdout, "dedup key") {
			t.Errorf("a change event has no dedup key:\n%s", r.stdout)
		}
	})
	t.Run("live", func(t *testing.T) {
		loopbackLive(t)
		emu := emulatortest.New(t)
		r := sendRun(t, []string{"--live", "--url", emu.ChangeURL(), "--routing-key-file", writeKeyFile(t, sendKey), "--change"})
		if r.code != 0 {
			t.Fatalf("want exit 0; %s", r)
		}
		reqs := emu.Requests()
		if len(reqs) != 1 || reqs[0].Kind != emulator.KindChange || reqs[0].Verdict != emulator.VerdictAccepted ||
			!strings.HasPrefix(reqs[0].Summary, "fluxpd test change event: please ignore (sent by fluxpd send at ") {
			t.Errorf("requests = %+v; want one accepted test change event", reqs)
		}
	})
}

func TestSend_BadKey(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{name: "31 characters", content: sendKey[:31] + "\n", want: "routingKey must be a 32-character integration key; got 31 characters"},
		{name: "trailing space", content: sendKey + " \n", want: "got 33 characters (it starts or ends with white space)"},
		{name: "two newlines", content: sendKey + "\n\n", want: "got 33 characters (it starts or ends with white space)"},
		{name: "empty", content: "\n", want: "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeKeyFile(t, tt.content)
			r := sendRun(t, []string{"--routing-key-file", path}, strings.TrimSpace(tt.content))
			if r.code != 1 {
				t.Fatalf("want exit 1; %s", r)
			}
			wantLines(t, "stderr", r.stderr, tt.want, "--routing-key-file "+path)
			if r.stdout != "" {
				t.Errorf("something was sent or started:\n%s", r.stdout)
			}
		})
	}
}

// pagerDuty400 is PagerDuty's answer to a wrong routing key, quoting the
// key as a careless receiver might, to show that it stays masked.
const pagerDuty400 = `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)","routing_key ` + sendKey + ` is not known"]}`

func TestSend_Rejected(t *testing.T) {
	loopbackLive(t)
	emu := emulatortest.New(t)
	emu.Inject(emulator.Fault{Status: http.StatusBadRequest, Body: pagerDuty400})
	r := sendRun(t, []string{"--live", "--url", emu.EventsURL(), "--routing-key-file", writeKeyFile(t, sendKey), "--resolve-after", "1ms"})
	if r.code != 1 {
		t.Fatalf("want exit 1; %s", r)
	}
	wantLines(t, "stdout", r.stdout,
		`answer:    400 Bad Request after 1 attempt: status "invalid event", message "Event object is invalid"`,
		"error:     Length of 'routing_key' is incorrect (should be 32 characters)",
		"error:     routing_key "+redact.Key(sendKey)+" is not known",
		"outcome:   not accepted: PagerDuty refused the event and would refuse it again",
		"Not resolving: the trigger was not accepted.",
	)
	wantLines(t, "stderr", r.stderr, "fluxpd: the test event was not accepted; PagerDuty's answer is above\n")
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("the emulator received %d requests, want 1 (no resolve after a refused trigger)", n)
	}
}

func TestSend_URL(t *testing.T) {
	t.Run("other host needs --live", func(t *testing.T) {
		emu := emulatortest.New(t)
		r := sendRun(t, []string{"--url", emu.EventsURL(), "--routing-key-file", writeKeyFile(t, sendKey)})
		if r.code != 2 {
			t.Fatalf("want exit 2; %s", r)
		}
		wantLines(t, "stderr", r.stderr, "--url "+emu.EventsURL()+" is not a PagerDuty host", "--live is the switch for every other destination")
		if n := len(emu.Requests()); n != 0 {
			t.Errorf("the emulator received %d requests, want none", n)
		}
	})
	t.Run("PagerDuty's EU host goes to the built-in emulator", func(t *testing.T) {
		r := sendRun(t, []string{"--url", "https://EVENTS.eu.pagerduty.com./v2/enqueue", "--routing-key-file", writeKeyFile(t, sendKey)})
		if r.code != 0 {
			t.Fatalf("want exit 0; %s", r)
		}
		wantLines(t, "stdout", r.stdout, "Sending a test trigger to https://EVENTS.eu.pagerduty.com./v2/enqueue, where the built-in emulator stands in",
			"PagerDuty emulator: 1 event received (1 accepted)")
	})
}

func TestSend_KeySources(t *testing.T) {
	secretsFile := func(t *testing.T, content string) string {
		path := filepath.Join(t.TempDir(), "pd.secrets")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("secrets file", func(t *testing.T) {
		t.Setenv("PAGERDUTY_ROUTING_KEY", "")
		r := sendRun(t, []string{"--secrets", secretsFile(t, "# test\nPAGERDUTY_ROUTING_KEY=\""+sendKey+"\"\n")})
		if r.code != 0 {
			t.Fatalf("want exit 0; %s", r)
		}
	})
	t.Run("secrets file with --key-name", func(t *testing.T) {
		r := sendRun(t, []string{"--secrets", secretsFile(t, "OPS_KEY="+sendKey+"\n"), "--key-name", "OPS_KEY"})
		if r.code != 0 {
			t.Fatalf("want exit 0; %s", r)
		}
	})
	t.Run("secrets file without the key", func(t *testing.T) {
		t.Setenv("PAGERDUTY_ROUTING_KEY", sendKey) // not read: the file is tested alone
		path := secretsFile(t, "OTHER=x\n")
		r := sendRun(t, []string{"--secrets", path})
		if r.code != 1 {
			t.Fatalf("want exit 1; %s", r)
		}
		wantLines(t, "stderr", r.stderr, "no routing key: the secrets file "+path+" (--secrets) has no line PAGERDUTY_ROUTING_KEY=...")
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv("PAGERDUTY_ROUTING_KEY", sendKey)
		r := sendRun(t, nil)
		if r.code != 0 {
			t.Fatalf("want exit 0; %s", r)
		}
	})
	t.Run("nowhere", func(t *testing.T) {
		t.Setenv("PAGERDUTY_ROUTING_KEY", "")
		r := sendRun(t, nil)
		if r.code != 2 {
			t.Fatalf("want exit 2; %s", r)
		}
		wantLines(t, "stderr", r.stderr, "no routing key: looked for the environment variable PAGERDUTY_ROUTING_KEY, which is empty", "--routing-key-file", "--secrets")
	})
}

func TestSend_Usage(t *testing.T) {
	key := writeKeyFile(t, sendKey)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "unknown flag", args: []string{"--routing-key", sendKey}, want: "flag provided but not defined: -routing-key"},
		{name: "argument", args: []string{"--routing-key-file", key, "now"}, want: `takes no arguments, only flags; got "now"`},
		{name: "two key sources", args: []string{"--routing-key-file", key, "--secrets", key}, want: "one of --routing-key-file and --secrets, not both"},
		{name: "key name with key file", args: []string{"--routing-key-file", key, "--key-name", "X"}, want: "--key-name names the line"},
		{name: "bad key name", args: []string{"--key-name", "PD-KEY"}, want: `--key-name must be a secret name`},
		{name: "severity", args: []string{"--routing-key-file", key, "--severity", "crit"}, want: `--severity must be one of critical, error, warning, info; got "crit"`},
		{name: "resolve-after syntax", args: []string{"--routing-key-file", key, "--resolve-after", "5"}, want: `invalid value "5" for flag -resolve-after: must be a duration such as 30s`},
		{name: "resolve-after negative", args: []string{"--routing-key-file", key, "--resolve-after", "-1s"}, want: "--resolve-after must be a duration such as 30s or 5m, or 0 for no resolve; got -1s"},
		{name: "empty summary", args: []string{"--routing-key-file", key, "--summary", " "}, want: "--summary is empty"},
		{name: "empty dedup key", args: []string{"--routing-key-file", key, "--dedup-key", ""}, want: "--dedup-key is empty"},
		{name: "long dedup key", args: []string{"--routing-key-file", key, "--dedup-key", strings.Repeat("k", 256)}, want: "--dedup-key is 256 characters long; PagerDuty accepts at most 255"},
		{name: "change with severity", args: []string{"--routing-key-file", key, "--change", "--severity", "info"}, want: "--severity cannot be used with --change"},
		{name: "change with resolve", args: []string{"--routing-key-file", key, "--change", "--resolve-after", "1s"}, want: "--resolve-after cannot be used with --change"},
		{name: "change with dedup key", args: []string{"--routing-key-file", key, "--change", "--dedup-key", "k"}, want: "--dedup-key cannot be used with --change"},
		{name: "bad URL", args: []string{"--routing-key-file", key, "--url", "events.pagerduty.com/v2/enqueue"}, want: "--url must be an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue"},
		{name: "key as URL", args: []string{"--routing-key-file", key, "--url", sendKey}, want: "not shown in case it is a secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sendRun(t, tt.args)
			if r.code != 2 {
				t.Fatalf("want exit 2; %s", r)
			}
			wantLines(t, "stderr", r.stderr, tt.want, `Run "fluxpd send --help" for the flags.`)
			if r.stdout != "" {
				t.Errorf("stdout: %q, want nothing", r.stdout)
			}
		})
	}
}

func TestSend_Help(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		r := sendRun(t, []string{arg})
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: fluxpd send [flags]\n") || r.stderr != "" {
			t.Errorf("fluxpd send %s: %s", arg, r)
		}
		wantLines(t, "usage", r.stdout, "-routing-key-file file", "-resolve-after duration", "-change", "-live")
	}
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"help"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("fluxpd help: exit %d", code)
	}
	wantLines(t, "fluxpd help", stdout.String(), "fluxpd send [flags]            send a test event")
}

// TestSend_InterruptedWait stops "fluxpd send" while it waits to resolve:
// it exits 130, says the alert stays open, and prints what the emulator got.
func TestSend_InterruptedWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout syncBuilder
	args := []string{"--routing-key-file", writeKeyFile(t, sendKey), "--resolve-after", "1h", "--dedup-key", "stop-me"}
	done := make(chan sendResult, 1)
	go func() { done <- sendRunCtx(t, ctx, &stdout, args) }()
	testwait.Until(t, "fluxpd send to wait before the resolve", func() (bool, string) {
		return strings.Contains(stdout.String(), "Waiting 1h0m0s before the resolve"), stdout.String()
	})
	cancel()
	r := testwait.Recv(t, "fluxpd send to stop", done)
	if r.code != exitInterrupted {
		t.Fatalf("want exit %d; %s", exitInterrupted, r)
	}
	wantLines(t, "stdout", r.stdout, `Stopped: the alert with dedup key "stop-me" stays open, not resolved.`, "PagerDuty emulator: 1 event received (1 accepted)")
	if r.stderr != "fluxpd: interrupted\n" {
		t.Errorf("stderr: %q, want only that it was interrupted", r.stderr)
	}
}

// TestSend_Process runs the fluxpd binary: "fluxpd send" must not pay
// Flux's start-up (several CPU-seconds). CPU time, not wall-clock time, is
// measured, so a loaded machine cannot fail it.
func TestSend_Process(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the fluxpd binary")
	}
	bin := filepath.Join(t.TempDir(), "fluxpd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "send", "--routing-key-file", writeKeyFile(t, sendKey))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fluxpd send: %v\n%s", err, out)
	}
	if strings.Contains(string(out), sendKey) {
		t.Errorf("the routing key was printed:\n%s", out)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	t.Logf("fluxpd send used %v CPU", cpu)
	if limit := time.Second; cpu > limit {
		t.Errorf("fluxpd send used %v CPU; want well under %v: it must not initialise Flux", cpu, limit)
	}
}
