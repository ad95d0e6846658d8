package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// manyRows returns a script that sends n trigger events through
// endpoint(), one per row, each with its own dedup key.
func manyRows(n int, extra string) string {
	var b strings.Builder
	b.WriteString("import \"pagerduty\"\nimport \"csv\"\n" + extra + "data = \"#datatype,string,long,string\n#group,false,false,false\n#default,_result,,\n,result,table,host\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ",,0,h%03d\n", i)
	}
	b.WriteString(`"
csv.from(csv: data) |> pagerduty.endpoint()(mapFn: (r) => ({routingKey: "` + testKey + `", client: "", clientURL: "",
    dedupKey: r.host, class: "", group: "", severity: "info", eventAction: "trigger", source: r.host,
    summary: "row " + r.host, timestamp: "", customDetails: {}}))()
`)
	return b.String()
}

// TestRun_SummaryIsShort: a run of many events ends with counts and at
// most maxExamples event lines, and says how to see them all.
func TestRun_SummaryIsShort(t *testing.T) {
	const n = maxExamples + 15
	script := writeScript(t, manyRows(n, ""))
	code, _, stderr := fluxpd(t, "", "run", script)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		fmt.Sprintf("PagerDuty emulator: %d events received (%d accepted)", n, n),
		"… and 15 more (--summary full lists every event)",
		fmt.Sprintf("fluxpd: %d events for https://events.pagerduty.com/v2/enqueue: %d accepted (202)", n, n),
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if got := strings.Count(stderr, "\n  #"); got != maxExamples {
		t.Errorf("%d event lines in the summary, want %d:\n%s", got, maxExamples, stderr)
	}

	code, _, stderr = fluxpd(t, "", "run", "--summary", "full", script)
	if got := strings.Count(stderr, "\n  #"); code != 0 || got != n {
		t.Errorf("--summary full: exit %d, %d event lines, want 0 and %d:\n%s", code, got, n, stderr)
	}
}

// TestRunLive_SummaryGroupsOutcomes: with --live the summary covers events
// sent anywhere: counts per outcome and status, failures first among the
// examples; exit 3 because some were refused.
func TestRunLive_SummaryGroupsOutcomes(t *testing.T) {
	emu := emulatortest.New(t)
	for i := 0; i < 3; i++ {
		emu.Inject(emulator.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["nope"]}`})
	}
	const n = maxExamples + 10
	script := writeScript(t, manyRows(n, fmt.Sprintf("option pagerduty.defaultURL = %q\n", emu.EventsURL())))
	code, _, stderr := fluxpd(t, "", "run", "--live", script)
	if code != exitNotAccepted {
		t.Fatalf("exit %d, want %d (events refused); stderr:\n%s", code, exitNotAccepted, stderr)
	}
	head := fmt.Sprintf("fluxpd: %d events for %s: 3 rejected (400), %d accepted (202)", n, emu.EventsURL(), n-3)
	if !strings.Contains(stderr, head) {
		t.Errorf("stderr lacks %q:\n%s", head, stderr)
	}
	if !strings.Contains(stderr, fmt.Sprintf("Examples (%d of %d; --summary full lists every event):", maxExamples, n)) {
		t.Errorf("stderr lacks the examples' heading:\n%s", stderr)
	}
	examples := regexp.MustCompile(`(?m)^  (rejected|accepted) +pagerduty\.endpoint trigger`).FindAllStringSubmatch(stderr, -1)
	if len(examples) != maxExamples {
		t.Fatalf("%d example lines, want %d:\n%s", len(examples), maxExamples, stderr)
	}
	for i, m := range examples[:3] {
		if m[1] != "rejected" {
			t.Errorf("example %d is %s; the rejected events come first:\n%s", i, m[1], stderr)
		}
	}
	if !strings.Contains(stderr, "fluxpd: 3 events not accepted (see above)") {
		t.Errorf("stderr lacks the closing error:\n%s", stderr)
	}
}

// TestRun_ProgressOnTerminal: on a terminal a progress line is drawn and
// erased before the summary; off one, none is.
func TestRun_ProgressOnTerminal(t *testing.T) {
	script := writeScript(t, manyRows(5, ""))
	old := isTerminal
	t.Cleanup(func() { isTerminal = old })

	isTerminal = func(io.Writer) bool { return true }
	code, _, stderr := fluxpd(t, "", "run", script)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	draw := eraseLine + "pagerduty: "
	i, j := strings.Index(stderr, draw), strings.LastIndex(stderr, eraseLine)
	if i < 0 || j <= i {
		t.Fatalf("want a progress line drawn, then erased; stderr:\n%q", stderr)
	}
	if strings.Contains(stderr[j+len(eraseLine):], draw) {
		t.Errorf("a progress line was left after the last erase:\n%q", stderr)
	}
	if !strings.Contains(stderr[j:], "PagerDuty emulator: 5 events received") {
		t.Errorf("the summary should follow the erased progress line:\n%q", stderr)
	}

	isTerminal = func(io.Writer) bool { return false }
	if _, _, stderr := fluxpd(t, "", "run", script); strings.Contains(stderr, "\r") {
		t.Errorf("off a terminal, no progress line should be drawn:\n%q", stderr)
	}
}

// TestRun_FlagsAfterFile: flags may follow the script, and mistakes say
// what is wrong.
func TestRun_FlagsAfterFile(t *testing.T) {
	t.Setenv("PAGERDUTY_ROUTING_KEY", testKey)
	script := writeScript(t, "1 + 1\n")
	code, stdout, stderr := fluxpd(t, "", "run", script, "--format", "table")
	if code != 0 || stdout != "2\n" {
		t.Errorf("flags after the file: exit %d, stdout %q; stderr:\n%s", code, stdout, stderr)
	}
	code, _, stderr = fluxpd(t, "", "run", script, script)
	if code != 2 || !strings.Contains(stderr, "fluxpd run: takes 1 argument (the script FILE.flux); got 2") {
		t.Errorf("two files: exit %d; stderr:\n%s", code, stderr)
	}
	code, _, stderr = fluxpd(t, "", "run", script, "--format", "xml")
	if code != 2 || !strings.Contains(stderr, `--format must be csv or table; got "xml"`) {
		t.Errorf("bad format after the file: exit %d; stderr:\n%s", code, stderr)
	}
}

// TestHelp_ToStdout: every command's --help goes to standard output with
// exit 0.
func TestHelp_ToStdout(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"run", "--help"}, {"run", "x.flux", "-h"}, {"send", "--help"},
		{"emulator", "--help"}, {"emulator", "-h", "--max-conns", "1"}, {"outbox", "--help"}, {"outbox", "list", "-h"}, {"version", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := fluxpd(t, "", args...)
			if code != 0 || !strings.Contains(stdout, "Usage") || stderr != "" {
				t.Errorf("exit %d, want 0 with the usage on stdout and nothing on stderr\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

// TestHelp_EmulatorListsLimits: the emulator's usage names its limits.
func TestHelp_EmulatorListsLimits(t *testing.T) {
	_, stdout, _ := fluxpd(t, "", "emulator", "--help")
	if want := "-max-conns int\n    \tconnections served at once; more wait until one closes (default 256)"; !strings.Contains(stdout, want) {
		t.Errorf("the usage lacks %q:\n%s", want, stdout)
	}
}
