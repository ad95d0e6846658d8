package pagerduty_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// levelCase is one call of a level helper and its expected result.
type levelCase struct{ in, want string }

// runLevelHelper calls pagerduty.<fn>(<param>: in) for every case in one
// script and checks each result in its own subtest.
func runLevelHelper(t *testing.T, fn, param string, cases []levelCase) {
	t.Helper()
	var lines []string
	for _, c := range cases {
		lines = append(lines, fmt.Sprintf("pagerduty.%s(%s: %q)", fn, param, c.in))
	}
	_, out, err := fluxQuery(context.Background(), t, nil, strings.Join(lines, "\n"))
	if err != nil {
		t.Fatalf("the script failed: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(cases) {
		t.Fatalf("got %d results, want %d: %q", len(got), len(cases), out)
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%q", c.in), func(t *testing.T) {
			if got[i] != c.want {
				t.Errorf("%s(%s: %q) = %q, want %q", fn, param, c.in, got[i], c.want)
			}
		})
	}
}

func TestSeverityFromLevel(t *testing.T) {
	runLevelHelper(t, "severityFromLevel", "level", []levelCase{
		{"crit", "critical"}, {"CRIT", "critical"}, {"Crit", "critical"},
		{"warn", "warning"}, {"WARN", "warning"},
		{"info", "info"}, {"INFO", "info"},
		{"ok", "info"}, {"Ok", "info"},
		{"critical", "error"}, {"warning", "error"}, {"", "error"}, {"unknown", "error"}, {" crit", "error"},
	})
}

func TestActionFromLevel(t *testing.T) {
	runLevelHelper(t, "actionFromLevel", "level", []levelCase{
		{"ok", "resolve"}, {"OK", "resolve"}, {"oK", "resolve"},
		{"crit", "trigger"}, {"warn", "trigger"}, {"info", "trigger"}, {"", "trigger"}, {"okay", "trigger"},
	})
}

func TestActionFromSeverity(t *testing.T) {
	runLevelHelper(t, "actionFromSeverity", "severity", []levelCase{
		{"ok", "resolve"}, {"OK", "resolve"},
		{"critical", "trigger"}, {"crit", "trigger"}, {"warning", "trigger"}, {"info", "trigger"}, {"", "trigger"},
	})
}

// TestLevelHelpers_Null gives the helpers a null level (an empty CSV cell),
// on which strings.toLower would fail: null is an unknown level.
func TestLevelHelpers_Null(t *testing.T) {
	data := "#datatype,string,long,string\n#group,false,false,false\n#default,_result,,\n,result,table,level\n,,0,\n"
	rows := mustQuery(t, fmt.Sprintf(`csv.from(csv: %q)
    |> map(fn: (r) => ({r with
        severity: pagerduty.severityFromLevel(level: r.level),
        byLevel: pagerduty.actionFromLevel(level: r.level),
        bySeverity: pagerduty.actionFromSeverity(severity: r.level),
    }))
`, data))
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want 1", len(rows))
	}
	r := rows[0]
	if r["severity"] != "error" || r["byLevel"] != "trigger" || r["bySeverity"] != "trigger" {
		t.Errorf("null level gave %v; want severity error, actions trigger", r)
	}
}
