package e2e

import (
	"strings"
	"testing"
)

func TestRowsWant_Check(t *testing.T) {
	rows := Rows{{"host": "a", "_sent": "true", "k": "x"}, {"host": "b", "_sent": "false", "k": ""}}
	seen, err := RowsWant{N: -1, Eq: []string{"_sent=true"}}.Check(rows[:1])
	if err != nil || seen != "1 rows: every row has _sent=true" {
		t.Errorf("holding: %q, %v", seen, err)
	}
	_, err = RowsWant{N: 3, Eq: []string{"_sent=true", "nope=1"}, NonEmpty: []string{"k"}}.Check(rows)
	for _, want := range []string{
		"2 data rows, want 3", "row 1 has no column nope", `row 2: _sent="false", want "true"`,
		"row 2: k is missing or empty", `rows:` + "\n" + `_sent="true" host="a" k="x"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("failing: err = %v, want it to say %q", err, want)
		}
	}
}

func TestOneValue(t *testing.T) {
	rows := Rows{{"host": "a", "k": "1"}, {"host": "a", "k": "1"}, {"host": "b", "k": "2"}, {"host": "b", "k": "3"}, {"host": "c", "k": ""}}
	if v, err := OneValue(rows, "k", "host", "a"); v != "1" || err != nil {
		t.Errorf("host a: %q, %v; want 1", v, err)
	}
	for _, host := range []string{"b", "c", "d"} {
		if _, err := OneValue(rows, "k", "host", host); err == nil || !strings.Contains(err.Error(), "want one non-empty value of k where host="+host) {
			t.Errorf("host %s: err = %v", host, err)
		}
	}
}

func TestAlertWant_Check(t *testing.T) {
	alerts := []Alert{
		{DedupKey: "web-1", Status: "resolved", Source: "web-1", History: []AlertEvent{{Action: "trigger", Severity: "critical", Summary: "CPU"}, {Action: "resolve"}}},
		{DedupKey: "dup"}, {DedupKey: "dup"}, {DedupKey: "bare", Status: "triggered"},
	}
	seen, err := AlertWant{DedupKey: "web-1", Status: "resolved", Source: "web-1", History: []string{"trigger", "resolve"}, Severity: "critical", Summary: "CPU"}.Check(alerts)
	if want := `alert "web-1": status=resolved source="web-1" history=trigger,resolve opened with severity="critical" summary="CPU"`; err != nil || seen != want {
		t.Errorf("holding: %q, %v; want %q", seen, err, want)
	}
	for _, tt := range []struct {
		want AlertWant
		says string
	}{
		{AlertWant{DedupKey: "web-1", Status: "triggered", History: []string{"trigger"}}, `status is "resolved", want "triggered"; history is "trigger,resolve", want "trigger"`},
		{AlertWant{DedupKey: "web-1", Severity: "info", Summary: "x"}, `severity of the opening event is "critical", want "info"; summary of the opening event is "CPU", want "x"`},
		{AlertWant{DedupKey: "bare", Summary: "x"}, "the alert has no history"},
		{AlertWant{DedupKey: "dup"}, `2 alerts with dedup key "dup", want 1`},
		{AlertWant{DedupKey: "none"}, `0 alerts with dedup key "none", want 1`},
	} {
		if _, err := tt.want.Check(alerts); err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%+v: err = %v, want it to say %s", tt.want, err, tt.says)
		}
	}
}
