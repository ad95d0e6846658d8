package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testKey is a placeholder routing key: 32 characters, as PagerDuty's are.
const testKey = "runT0123456789abcdefghijklmnopQZ"

// fluxpd runs the command line as main does and returns its exit code and
// output.
func fluxpd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeScript(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.flux")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRun_Example runs the README's example the way a new user does, with
// the placeholder key in the environment, against the built-in emulator.
func TestRun_Example(t *testing.T) {
	t.Setenv("PAGERDUTY_ROUTING_KEY", testKey)
	code, stdout, stderr := fluxpd(t, "", "run", filepath.Join("..", "..", "examples", "send_event.flux"))
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if stdout != "202\n" {
		t.Errorf("stdout = %q, want the status 202", stdout)
	}
	for _, want := range []string{
		"PagerDuty emulator: 1 event received (1 accepted)",
		`trigger dedup_key="db01.example.com" severity="critical"`,
		"accepted",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout+stderr, testKey) {
		t.Error("the routing key was printed")
	}
}

func TestRun_MissingSecret(t *testing.T) {
	t.Setenv("PAGERDUTY_ROUTING_KEY", "")
	os.Unsetenv("PAGERDUTY_ROUTING_KEY")
	code, _, stderr := fluxpd(t, "", "run", filepath.Join("..", "..", "examples", "send_event.flux"))
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	want := `secret "PAGERDUTY_ROUTING_KEY" not found: looked in the environment variable PAGERDUTY_ROUTING_KEY`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

func TestRun_SecretsFile(t *testing.T) {
	dir := t.TempDir()
	secretsFile := filepath.Join(dir, "pd.secrets")
	if err := os.WriteFile(secretsFile, []byte("# fluxpd secrets\nPAGERDUTY_ROUTING_KEY="+testKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(secretsFile, 0o644)
	script := writeScript(t, `import "influxdata/influxdb/secrets"
secrets.get(key: "PAGERDUTY_ROUTING_KEY")
`)
	code, stdout, stderr := fluxpd(t, "", "run", "--secrets", secretsFile, script)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	if want := "runT**************************QZ\n"; stdout != want {
		t.Errorf("stdout = %q, want the masked key %q", stdout, want)
	}
	if !strings.Contains(stderr, "warning: secrets file "+secretsFile+" has permissions 0644") {
		t.Errorf("no permissions warning:\n%s", stderr)
	}
}

func TestRun_SecretsFileSyntaxError(t *testing.T) {
	secretsFile := filepath.Join(t.TempDir(), "bad.secrets")
	if err := os.WriteFile(secretsFile, []byte("A=1\n"+testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := fluxpd(t, "", "run", "--secrets", secretsFile, writeScript(t, "1 + 1\n"))
	want := "fluxpd: secrets file " + secretsFile + ": line 2: expected KEY=value, found no '='\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, stderr, want)
	}
}

// TestRun_Tables runs a script that reads data with tableFind/getRecord and
// yields a table, from standard input, in both formats.
func TestRun_Tables(t *testing.T) {
	src := `import "csv"
data = "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,host,load
,,0,web01,7
"
r = csv.from(csv: data) |> tableFind(fn: (key) => true) |> getRecord(idx: 0)
r.host
csv.from(csv: data) |> yield(name: "loads")
`
	code, stdout, stderr := fluxpd(t, src, "run", "-")
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	want := "web01\n#datatype,string,long,string,long\n#group,false,false,true,false\n#default,loads,,,\n,result,table,host,load\n,,0,web01,7\n\n"
	// Annotated CSV ends its lines with CRLF, as InfluxDB's query API does.
	if got := strings.ReplaceAll(stdout, "\r\n", "\n"); got != want {
		t.Errorf("stdout =\n%s\nwant\n%s", got, want)
	}
	code, stdout, _ = fluxpd(t, src, "run", "--format", "table", "-")
	if code != 0 || !strings.Contains(stdout, "Result: loads") || !strings.Contains(stdout, "web01") {
		t.Errorf("--format table: exit %d, stdout:\n%s", code, stdout)
	}
}

// TestRun_NotesShown: an event sent other than the script gave it (a
// summary over PagerDuty's limit, cut) is told on standard error.
func TestRun_NotesShown(t *testing.T) {
	src := `import "pagerduty"
import "strings"
pagerduty.sendEvent(routingKey: "` + testKey + `", client: "", clientURL: "", dedupKey: "db01", class: "", group: "",
    severity: "critical", eventAction: "trigger", source: "db01", summary: strings.repeat(v: "x", i: 1100), timestamp: "")
`
	code, stdout, stderr := fluxpd(t, src, "run", "-")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	want := `fluxpd: note: pagerduty.sendEvent (dedup key "db01"): summary is longer than 1024 characters, PagerDuty's limit; it was sent cut to 1024, ending in …` + "\n"
	if !strings.Contains(stderr, want) || !strings.Contains(stdout, "202") {
		t.Errorf("want status 202 on stdout and on stderr\n%s\ngot stdout:\n%s\nstderr:\n%s", want, stdout, stderr)
	}
}

func TestRun_ScriptError(t *testing.T) {
	code, _, stderr := fluxpd(t, "", "run", writeScript(t, `import "pagerduty"
pagerduty.sendEvent(routingKey: "`+testKey+`", client: "", clientURL: "", dedupKey: "", class: "", group: "",
    severity: "crit", eventAction: "trigger", source: "h", summary: "s", timestamp: "")
`))
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, `severity must be one of critical, error, warning, info; got "crit"`) {
		t.Errorf("stderr lacks the severity error:\n%s", stderr)
	}
	if !strings.Contains(stderr, "PagerDuty emulator: no events received") {
		t.Errorf("stderr lacks the emulator summary:\n%s", stderr)
	}
}

func TestRun_Usage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{name: "no command", args: nil, code: 2},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2},
		{name: "run without file", args: []string{"run"}, code: 2},
		{name: "bad format", args: []string{"run", "--format", "xml", "x.flux"}, code: 2},
		{name: "help", args: []string{"run", "-h"}, code: 0},
		{name: "missing file", args: []string{"run", "does-not-exist.flux"}, code: 1},
		{name: "version", args: []string{"version"}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, stderr := fluxpd(t, "", tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
		})
	}
}

// TestRun_AllExamples runs every script in examples/ the way the README
// shows, and requires the emulator to accept every event it received.
func TestRun_AllExamples(t *testing.T) {
	t.Setenv("PAGERDUTY_ROUTING_KEY", testKey)
	scripts, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.flux"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, script := range scripts {
		t.Run(filepath.Base(script), func(t *testing.T) {
			code, stdout, stderr := fluxpd(t, "", "run", script)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if strings.Contains(stderr, "no events received") || strings.Contains(stderr, "rejected") {
				t.Errorf("the emulator did not accept every event:\n%s", stderr)
			}
			if strings.Contains(stdout+stderr, testKey) {
				t.Error("the routing key was printed")
			}
		})
	}
}
