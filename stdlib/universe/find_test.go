package universe_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux"

	"github.com/fluxpd/fluxpd/fluxrun"
	_ "github.com/fluxpd/fluxpd/stdlib/builtin"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// data has two tables, grouped by host: db01 with two rows, db02 with one.
const data = `import "csv"
data = "
#datatype,string,long,dateTime:RFC3339,string,double
#group,false,false,false,true,false
#default,_result,,,,
,result,table,_time,host,_value
,,0,2030-01-01T00:00:00Z,db01,1.5
,,0,2030-01-01T00:01:00Z,db01,9.75
,,1,2030-01-01T00:00:00Z,db02,0.5
"
`

// run runs data followed by script and returns the values of its top-level
// expressions, one per line.
func run(t *testing.T, script string) (string, error) {
	t.Helper()
	var values strings.Builder
	r := &fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript, Deps: flux.NewDefaultDependencies(), Values: &values}
	err := r.Run(context.Background(), "script.flux", data+script)
	return values.String(), err
}

func TestFindRecord(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{
			name:   "first matching table",
			script: `r = csv.from(csv: data) |> findRecord(fn: (key) => key.host == "db02", idx: 0)` + "\nr.host\nr._value",
			want:   "db02\n0.5\n",
		},
		{
			name:   "row by index",
			script: `r = csv.from(csv: data) |> findRecord(fn: (key) => key.host == "db01", idx: 1)` + "\nr._time\nr._value",
			want:   "2030-01-01T00:01:00.000000000Z\n9.75\n",
		},
		{
			name: "documented shape: last() then any table",
			script: `lastReported = csv.from(csv: data) |> last() |> findRecord(fn: (key) => true, idx: 0)
"load " + string(v: lastReported._value) + " on " + lastReported.host`,
			want: "load 9.75 on db01\n",
		},
		{
			name:   "fields are typed when used",
			script: `r = csv.from(csv: data) |> findRecord(fn: (key) => true, idx: 1)` + "\nr._value * 2.0",
			want:   "19.5\n",
		},
		{
			name:   "same record as tableFind and getRecord",
			script: `csv.from(csv: data) |> findRecord(fn: (key) => true, idx: 1) == (csv.from(csv: data) |> tableFind(fn: (key) => true) |> getRecord(idx: 1))`,
			want:   "true\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(t, tt.script)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindColumn(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{
			name:   "floats",
			script: `csv.from(csv: data) |> findColumn(fn: (key) => key.host == "db01", column: "_value")`,
			want:   "[1.5, 9.75]\n",
		},
		{
			name:   "strings",
			script: `csv.from(csv: data) |> findColumn(fn: (key) => key.host == "db02", column: "host")`,
			want:   "[db02]\n",
		},
		{
			name:   "elements are typed when used",
			script: `hosts = csv.from(csv: data) |> findColumn(fn: (key) => true, column: "_value")` + "\nhosts[1] + 0.25",
			want:   "10\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(t, tt.script)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFind_Errors(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{
			name:   "no table matches findRecord",
			script: `csv.from(csv: data) |> findRecord(fn: (key) => key.host == "web01", idx: 0)`,
			want:   `error calling function "findRecord": no table found`,
		},
		{
			name:   "no table matches findColumn",
			script: `csv.from(csv: data) |> findColumn(fn: (key) => key.host == "web01", column: "_value")`,
			want:   `error calling function "findColumn": no table found`,
		},
		{
			name:   "idx past the last row",
			script: `csv.from(csv: data) |> findRecord(fn: (key) => key.host == "db01", idx: 2)`,
			want:   `error calling function "findRecord": idx 2 is out of range: the table found has 2 rows (idx 0 to 1)`,
		},
		{
			name:   "idx of a one-row table",
			script: `csv.from(csv: data) |> findRecord(fn: (key) => key.host == "db02", idx: 1)`,
			want:   `error calling function "findRecord": idx 1 is out of range: the table found has 1 row (idx 0)`,
		},
		{
			name:   "negative idx",
			script: `csv.from(csv: data) |> findRecord(fn: (key) => true, idx: -1)`,
			want:   `error calling function "findRecord": idx -1 is out of range: the table found has 2 rows (idx 0 to 1)`,
		},
		{
			name:   "idx in an empty table",
			script: `csv.from(csv: data) |> filter(fn: (r) => r._value > 100.0, onEmpty: "keep") |> findRecord(fn: (key) => true, idx: 0)`,
			want:   `error calling function "findRecord": idx 0 is out of range: the table found has no rows`,
		},
		{
			name:   "missing column",
			script: `csv.from(csv: data) |> findColumn(fn: (key) => true, column: "load")`,
			want:   `error calling function "findColumn": cannot find column load`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, tt.script)
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestFind_TypeErrors checks that type inference knows the parameters: a
// wrong type or a missing argument fails before anything runs.
func TestFind_TypeErrors(t *testing.T) {
	for _, script := range []string{
		`csv.from(csv: data) |> findRecord(fn: (key) => true, idx: "0")`,
		`csv.from(csv: data) |> findRecord(fn: (key) => true)`,
		`csv.from(csv: data) |> findColumn(fn: (key) => true, column: 1)`,
		`csv.from(csv: data) |> findColumn(fn: (key) => 1, column: "host")`,
		`findRecord(fn: (key) => true, idx: 0)`,
	} {
		t.Run(script, func(t *testing.T) {
			if _, err := run(t, script); err == nil {
				t.Fatal("got no error")
			} else if strings.Contains(err.Error(), "error calling function") {
				t.Errorf("the call ran; want a type error: %v", err)
			} else {
				t.Log(err)
			}
		})
	}
}
