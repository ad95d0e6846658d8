package fluxtest_test

// TestInfluxd2GeneratedRule runs the PagerDuty notification rule that
// InfluxDB 2.0.0-beta.8 generates (captured by scripts/influxd2-e2e.sh as
// testdata/influxd2_rule_crit_ok.flux: status rules CRIT and OK-after-CRIT)
// under fluxrun with fluxpd's pagerduty, so that a change that breaks
// InfluxDB's generated Flux fails here, without building influxd2.
//
// What the runner lacks is supplied the way a server would:
//   - secrets.get reads a secret service holding the endpoint's key;
//   - monitor.from, which reads from(bucket: "_monitoring"), is replaced
//     by a function of the same signature over csv.from data shaped like
//     its output (one table per _level, the statuses already pivoted);
//   - monitor.log, which writes to _monitoring, passes its tables on;
//   - pagerduty's default URL is the emulator's, through pagerduty.WithHost
//     as the InfluxDB builds set it (the rule names no URL).
//
// The rule runs twice, 5 s apart, as InfluxDB schedules it (every: 5s):
// the first run sees the crit status (trigger), the second the crit and
// then the ok status (stateChanges: resolve). The emulator must end with
// one alert, triggered then resolved under one dedup key.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/dependencies/url"
	"github.com/influxdata/flux/parser"

	"github.com/fluxpd/fluxpd/fluxrun"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

const (
	influxd2RuleFixture = "influxd2_rule_crit_ok.flux"
	// The fixture's endpoint ID names its secret.
	influxd2RuleSecret = "11b9de24fe980000-routing-key"
	// A placeholder 32-character routing key, never a real one.
	influxd2RuleKey = "fluxtest0influxd2rule0123456789a"
	// The call the generated rule reads its statuses with.
	monitorFromCall = `monitor["from"](`
)

// ruleSecrets is the org secret service of the test: the endpoint's key.
type ruleSecrets struct{}

func (ruleSecrets) LoadSecret(_ context.Context, k string) (string, error) {
	if k == influxd2RuleSecret {
		return influxd2RuleKey, nil
	}
	return "", fmt.Errorf("secret %q not found", k)
}

// statusesCSV is what monitor.from reads from _monitoring for check
// cpu-high on host web-1: a crit status at crit, an ok status at ok, in
// the shape monitor.from returns (v1.fieldsAsCols() applied, _level in the
// group key: one table per level).
func statusesCSV(crit, ok time.Time) string {
	const head = "#datatype,string,long,dateTime:RFC3339Nano,string,string,string,string,string,string,string,string,long,double\n" +
		"#group,false,false,false,true,true,true,true,true,true,true,false,false,false\n" +
		"#default,_result,,,,,,,,,,,,\n" +
		",result,table,_time,_measurement,_check_id,_check_name,_level,_source_measurement,_type,host,_message,_source_timestamp,usage_user\n"
	row := func(table int, at time.Time, level, msg string, usage float64) string {
		src := at.Add(-time.Second)
		return fmt.Sprintf(",,%d,%s,statuses,0000000000000001,cpu-high,%s,cpu,threshold,web-1,%s,%d,%g\n",
			table, at.UTC().Format(time.RFC3339Nano), level, msg, src.UnixNano(), usage)
	}
	return head +
		row(0, crit, "crit", "CPU at 95 on web-1", 95) +
		row(1, ok, "ok", "CPU at 10 on web-1", 10)
}

// ruleProgram is the fixture with monitor.from replaced by statuses over
// csv data and monitor.log passing its tables on.
func ruleProgram(t *testing.T, src, data string) *ast.Package {
	t.Helper()
	if n := strings.Count(src, monitorFromCall); n != 1 {
		t.Fatalf("%s calls %s %d times, want once: InfluxDB's generated rule changed; adapt this test", influxd2RuleFixture, monitorFromCall, n)
	}
	src = strings.Replace(src, monitorFromCall, "fluxtest_monitor_from(", 1)
	pkg := parser.ParseSource(src)
	if ast.Check(pkg) > 0 {
		t.Fatalf("%s: %v", influxd2RuleFixture, ast.GetError(pkg))
	}
	file := pkg.Files[0]
	file.Name = influxd2RuleFixture
	for _, imp := range []string{"csv", "influxdata/influxdb/monitor"} {
		if !imports(file, imp) {
			file.Imports = append(file.Imports, &ast.ImportDeclaration{Path: &ast.StringLiteral{Value: imp}})
		}
	}
	// monitor.from's signature, over csv data instead of _monitoring.
	prelude := parser.ParseSource(`
option monitor.log = (tables=<-) => tables
fluxtest_monitor_from = (start, stop=now(), fn=(r) => true) =>
    csv.from(csv: "` + strings.ReplaceAll(data, "\n", `\n`) + `")
        |> range(start: start, stop: stop)
        |> filter(fn: (r) => r._measurement == "statuses")
        |> filter(fn: fn)
`)
	if ast.Check(prelude) > 0 {
		t.Fatalf("prelude: %v", ast.GetError(prelude))
	}
	file.Body = append(prelude.Files[0].Body, file.Body...)
	return pkg
}

func TestInfluxd2GeneratedRule(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", influxd2RuleFixture))
	if err != nil {
		t.Fatal(err)
	}
	emu := emulatortest.New(t)
	var failures []pagerduty.Failure
	host := pagerduty.Host{URL: emu.EventsURL(), ChangeURL: emu.ChangeURL(), Report: func(f pagerduty.Failure) {
		failures = append(failures, f)
	}}

	// Two runs of the rule (every: 5s), on whole seconds like the
	// scheduler: the first sees the crit status, the second also the ok.
	run1 := time.Now().UTC().Truncate(time.Second)
	run2 := run1.Add(5 * time.Second)
	data := statusesCSV(run1.Add(-2*time.Second), run2.Add(-2*time.Second))
	pkg := ruleProgram(t, string(src), data)

	for i, now := range []time.Time{run1, run2} {
		var out strings.Builder
		r := &fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript,
			Deps: flux.Deps{Deps: flux.WrappedDeps{
				HTTPClient:    &http.Client{Transport: loopbackOnly{}},
				URLValidator:  url.PassValidator{},
				SecretService: ruleSecrets{},
			}},
			Now:     now,
			Results: fluxrun.CSV{W: &out},
		}
		ctx := pagerduty.WithHost(context.Background(), host)
		if err := r.RunAST(ctx, pkg.Copy().(*ast.Package)); err != nil {
			t.Fatalf("run %d of the generated rule (now %s): %v", i+1, now.Format(time.RFC3339), err)
		}
		if strings.Contains(out.String(), influxd2RuleKey) {
			t.Errorf("run %d: the routing key appears in the results", i+1)
		}
		if !strings.Contains(out.String(), ",true,") {
			t.Errorf("run %d: no notification with _sent = true:\n%s", i+1, out.String())
		}
		t.Logf("run %d (now %s):\n%s", i+1, now.Format(time.RFC3339), out.String())
	}
	for _, f := range failures {
		t.Errorf("a send failed: %s", f)
	}

	alerts := emu.Alerts()
	if len(alerts) != 1 {
		t.Fatalf("the emulator has %d alerts, want 1 (one series, one dedup key): %+v", len(alerts), alerts)
	}
	a := alerts[0]
	var actions []string
	for _, h := range a.History {
		actions = append(actions, h.Action)
	}
	if strings.Join(actions, ",") != "trigger,resolve" || a.Status != emulator.StatusResolved {
		t.Errorf("alert %q: history %v, status %s; want trigger,resolve and resolved", a.DedupKey, actions, a.Status)
	}
	if a.Source != "pd-rule" || a.Summary != "CPU at 95 on web-1" || a.Severity != "critical" {
		t.Errorf("alert fields: source %q, summary %q, severity %q; want pd-rule, the crit status's message, critical", a.Source, a.Summary, a.Severity)
	}
	for _, req := range emu.Requests() {
		if !strings.Contains(string(req.Body), `"class":"cpu-high"`) || !strings.Contains(string(req.Body), `"group":"cpu"`) {
			t.Errorf("event without InfluxDB's generated class and group: %s", req.Body)
		}
	}
}
