package pagerduty_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sha256Of is a dedup key computed here from its definition: the hex
// SHA-256 of the sorted "label\nvalue\n" lines, written out by each test.
func sha256Of(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// statusData is two runs of a check: web01 crit, then ok in the next
// window. _start, _stop and _level are part of the group key, so the two
// rows are in different tables.
const statusData = `#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,string,string,string
#group,false,false,true,true,true,true,true
#default,_result,,,,,,
,result,table,_start,_stop,host,_level,_measurement
,,0,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,web01,crit,statuses
,,1,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,web01,ok,statuses
,,2,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,web02,ok,statuses
`

// dedupKeys runs data through pagerduty.dedupKey(args) and returns the
// key column, row by row.
func dedupKeys(t *testing.T, data, args string) []string {
	t.Helper()
	var keys []string
	for _, r := range mustQuery(t, fmt.Sprintf("csv.from(csv: %q) |> pagerduty.dedupKey(%s)\n", data, args)) {
		keys = append(keys, r["_pagerdutyDedupKey"])
	}
	return keys
}

func TestDedupKey(t *testing.T) {
	web01 := sha256Of("_measurement\nstatuses\nhost\nweb01\n")
	web02 := sha256Of("_measurement\nstatuses\nhost\nweb02\n")
	for _, tc := range []struct {
		name, args string
		want       []string
	}{
		{
			name: "trigger and resolve pair up", // _level differs, the key does not
			want: []string{web01, web01, web02},
		},
		{
			name: "upstream v0.65.1 behaviour with _level kept",
			args: `exclude: ["_start", "_stop"]`,
			want: []string{
				sha256Of("_level\ncrit\n_measurement\nstatuses\nhost\nweb01\n"),
				sha256Of("_level\nok\n_measurement\nstatuses\nhost\nweb01\n"),
				sha256Of("_level\nok\n_measurement\nstatuses\nhost\nweb02\n"),
			},
		},
		{
			name: "missing excluded columns are fine",
			args: `exclude: ["_start", "_stop", "_level", "_measurement", "region"]`,
			want: []string{sha256Of("host\nweb01\n"), sha256Of("host\nweb01\n"), sha256Of("host\nweb02\n")},
		},
		{
			name: "nothing excluded",
			args: `exclude: []`,
			want: []string{
				sha256Of("_level\ncrit\n_measurement\nstatuses\n_start\n2030-01-01T00:00:00.000000000Z\n" +
					"_stop\n2030-01-01T00:01:00.000000000Z\nhost\nweb01\n"),
				sha256Of("_level\nok\n_measurement\nstatuses\n_start\n2030-01-01T00:01:00.000000000Z\n" +
					"_stop\n2030-01-01T00:02:00.000000000Z\nhost\nweb01\n"),
				sha256Of("_level\nok\n_measurement\nstatuses\n_start\n2030-01-01T00:01:00.000000000Z\n" +
					"_stop\n2030-01-01T00:02:00.000000000Z\nhost\nweb02\n"),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, dedupKeys(t, statusData, tc.args)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDedupKey_ValueTypes renders a group key value of every column type as
// upstream does: times in Flux's fixed-width form, floats as short as they
// can be, and labels sorted.
func TestDedupKey_ValueTypes(t *testing.T) {
	data := `#datatype,string,long,string,long,unsignedLong,double,boolean,dateTime:RFC3339,string
#group,false,false,true,true,true,true,true,true,false
#default,_result,,,,,,,,
,result,table,s,i,u,f,b,t,v
,,0,x y,-3,7,1.5,true,2030-01-01T00:00:00Z,a
,,0,x y,-3,7,1.5,true,2030-01-01T00:00:00Z,b
`
	want := sha256Of("b\ntrue\nf\n1.5\ni\n-3\ns\nx y\nt\n2030-01-01T00:00:00.000000000Z\nu\n7\n")
	if diff := cmp.Diff([]string{want, want}, dedupKeys(t, data, "")); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// TestDedupKey_Twice replaces the key column rather than failing, so a
// stream can pass through dedupKey (or endpoint) twice.
func TestDedupKey_Twice(t *testing.T) {
	rows := mustQuery(t, fmt.Sprintf(`csv.from(csv: %q)
    |> pagerduty.dedupKey(exclude: ["_start", "_stop"])
    |> pagerduty.dedupKey()
`, statusData))
	web01 := sha256Of("_measurement\nstatuses\nhost\nweb01\n")
	if len(rows) != 3 || rows[0]["_pagerdutyDedupKey"] != web01 || rows[1]["_pagerdutyDedupKey"] != web01 {
		t.Errorf("rows = %v; want 3, web01's with key %s", rows, web01)
	}
}

func TestDedupKey_KeyColumnInGroupKey(t *testing.T) {
	src := fmt.Sprintf(`csv.from(csv: %q)
    |> pagerduty.dedupKey()
    |> group(columns: ["_pagerdutyDedupKey"])
    |> pagerduty.dedupKey()
`, statusData)
	_, _, err := fluxQuery(context.Background(), t, nil, src)
	want := `column "_pagerdutyDedupKey" is part of the group key, but dedupKey sets it on every row; ` +
		`it cannot be a group key column (hint: group by other columns, or rename it before dedupKey)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v; want it to contain %q", err, want)
	}
}
