package event_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/event"
)

func nan() float64         { return math.NaN() }
func inf(sign int) float64 { return math.Inf(sign) }

func TestDetails_MarshalJSON(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		name string
		d    event.Details
		want string
	}{
		{name: "nil", d: nil, want: `{}`},
		{name: "empty", d: event.Details{}, want: `{}`},
		{
			name: "key order kept and keys as written",
			d:    event.Details{{Key: "zeta", Value: int64(1)}, {Key: "alpha", Value: int64(2)}, {Key: "ping time", Value: "1500ms"}, {Key: "Load-Avg", Value: 0.75}},
			want: `{"zeta":1,"alpha":2,"ping time":"1500ms","Load-Avg":0.75}`,
		},
		{
			name: "every value type",
			d: event.Details{
				{Key: "null", Value: nil},
				{Key: "string", Value: "s"},
				{Key: "true", Value: true},
				{Key: "false", Value: false},
				{Key: "int", Value: int64(math.MinInt64)},
				{Key: "uint", Value: uint64(math.MaxUint64)},
				{Key: "float", Value: 0.1},
				{Key: "whole float", Value: 3.0},
				{Key: "tiny float", Value: 1e-7},
				{Key: "huge float", Value: 1e21},
				{Key: "negative zero", Value: math.Copysign(0, -1)},
				{Key: "time", Value: time.Date(2016, 7, 17, 8, 42, 58, 123456789, ist)},
				{Key: "whole-second time", Value: time.Date(2016, 7, 17, 8, 42, 58, 0, time.UTC)},
			},
			want: `{"null":null,"string":"s","true":true,"false":false,"int":-9223372036854775808,` +
				`"uint":18446744073709551615,"float":0.1,"whole float":3,"tiny float":1e-7,"huge float":1e+21,` +
				`"negative zero":-0,"time":"2016-07-17T03:12:58.123456789Z","whole-second time":"2016-07-17T08:42:58Z"}`,
		},
		{
			name: "nested records and arrays",
			d: event.Details{
				{Key: "host", Value: event.Details{
					{Key: "name", Value: "db01"},
					{Key: "disks", Value: []any{
						event.Details{{Key: "dev", Value: "sda"}, {Key: "used", Value: 0.99}},
						event.Details{{Key: "dev", Value: "sdb"}, {Key: "used", Value: nil}},
					}},
				}},
				{Key: "matrix", Value: []any{[]any{int64(1), int64(2)}, []any{}, []any{"a", true, nil}}},
				{Key: "empty", Value: event.Details{}},
				{Key: "nil record", Value: event.Details(nil)},
			},
			want: `{"host":{"name":"db01","disks":[{"dev":"sda","used":0.99},{"dev":"sdb","used":null}]},` +
				`"matrix":[[1,2],[],["a",true,null]],"empty":{},"nil record":{}}`,
		},
		{
			name: "HTML characters are not escaped",
			d:    event.Details{{Key: "<k>", Value: `<a href="x">Tom & Jerry</a>`}},
			want: `{"<k>":"<a href=\"x\">Tom & Jerry</a>"}`,
		},
		{
			name: "strings are escaped as JSON needs",
			d:    event.Details{{Key: "quote\"key", Value: "tab\tnewline\nback\\slash é 日 😀 \x01"}},
			want: `{"quote\"key":"tab\tnewline\nback\\slash é 日 😀 \u0001"}`,
		},
		{
			name: "invalid UTF-8 is replaced",
			d:    event.Details{{Key: "bad", Value: "a\xffb"}},
			want: `{"bad":"a\ufffdb"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.d.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON() error = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalJSON() mismatch (-want +got):\n%s", cmp.Diff(tt.want, string(got)))
			}
			if !json.Valid(got) {
				t.Errorf("MarshalJSON() = %s, not valid JSON", got)
			}
		})
	}
}

func TestDetails_MarshalJSON_Errors(t *testing.T) {
	tests := []struct {
		name    string
		d       event.Details
		wantErr string
	}{
		{name: "NaN", d: event.Details{{Key: "load", Value: nan()}}, wantErr: "json: unsupported value: NaN"},
		{name: "Go int", d: event.Details{{Key: "n", Value: 1}}, wantErr: "unsupported custom detail type int"},
		{name: "nested map", d: event.Details{{Key: "a", Value: []any{map[string]any{}}}}, wantErr: "unsupported custom detail type map[string]interface {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.d.MarshalJSON()
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("MarshalJSON() = %s, %v; want error %q", got, err, tt.wantErr)
			}
		})
	}
}

func TestDetails_Check(t *testing.T) {
	const cannot = ", which JSON cannot represent; replace it with null or a number, for example with a conditional in map()"
	tests := []struct {
		name    string
		d       event.Details
		wantErr string // "" for none
	}{
		{name: "nil", d: nil},
		{
			name: "every supported type",
			d: event.Details{{Key: "a", Value: nil}, {Key: "b", Value: "s"}, {Key: "c", Value: true}, {Key: "d", Value: int64(1)},
				{Key: "e", Value: uint64(1)}, {Key: "f", Value: math.MaxFloat64}, {Key: "g", Value: time.Time{}},
				{Key: "h", Value: []any{event.Details{}}}},
		},
		{name: "NaN", d: event.Details{{Key: "load", Value: nan()}}, wantErr: "customDetails.load is NaN" + cannot},
		{name: "+Inf under a key with a space", d: event.Details{{Key: "ping time", Value: inf(1)}}, wantErr: `customDetails["ping time"] is +Inf` + cannot},
		{name: "-Inf", d: event.Details{{Key: "min", Value: inf(-1)}}, wantErr: "customDetails.min is -Inf" + cannot},
		{
			name:    "nested record and array",
			d:       event.Details{{Key: "ok", Value: 1.5}, {Key: "host", Value: event.Details{{Key: "loads", Value: []any{0.5, nan()}}}}},
			wantErr: "customDetails.host.loads[1] is NaN" + cannot,
		},
		{
			name:    "array of arrays of records",
			d:       event.Details{{Key: "m", Value: []any{[]any{}, []any{int64(1), event.Details{{Key: "a b", Value: inf(-1)}}}}}},
			wantErr: `customDetails.m[1][1]["a b"] is -Inf` + cannot,
		},
		{
			name:    "only the first problem",
			d:       event.Details{{Key: "a", Value: nan()}, {Key: "b", Value: nan()}},
			wantErr: "customDetails.a is NaN" + cannot,
		},
		{name: "Go int", d: event.Details{{Key: "n", Value: 1}}, wantErr: "customDetails.n has unsupported type int"},
		{name: "float32", d: event.Details{{Key: "n", Value: float32(1)}}, wantErr: "customDetails.n has unsupported type float32"},
		{name: "string slice", d: event.Details{{Key: "tags", Value: []string{"a"}}}, wantErr: "customDetails.tags has unsupported type []string"},
		{name: "Field instead of Details", d: event.Details{{Key: "f", Value: event.Field{}}}, wantErr: "customDetails.f has unsupported type event.Field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Check("customDetails")
			var got string
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("Check() error mismatch (-want +got):\n%s", cmp.Diff(tt.wantErr, got))
			}
		})
	}
}

func TestKeyPath(t *testing.T) {
	tests := []struct {
		name, path, key, want string
	}{
		{name: "identifier", path: "customDetails", key: "load", want: "customDetails.load"},
		{name: "underscore and digits", path: "customDetails", key: "_load1", want: "customDetails._load1"},
		{name: "space", path: "customDetails", key: "ping time", want: `customDetails["ping time"]`},
		{name: "leading digit", path: "customDetails", key: "1m", want: `customDetails["1m"]`},
		{name: "dash", path: "customDetails.host", key: "cpu-0", want: `customDetails.host["cpu-0"]`},
		{name: "empty key", path: "customDetails", key: "", want: `customDetails[""]`},
		{name: "quote", path: "customDetails", key: `a"b`, want: `customDetails["a\"b"]`},
		{name: "non-ASCII letter", path: "customDetails", key: "é", want: `customDetails["é"]`},
		{name: "after an index", path: "customDetails.a[2]", key: "x", want: "customDetails.a[2].x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := event.KeyPath(tt.path, tt.key); got != tt.want {
				t.Errorf("KeyPath(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
			}
		})
	}
}

func TestFormatTime(t *testing.T) {
	got := event.FormatTime(time.Date(2016, 7, 17, 8, 42, 58, 100, time.FixedZone("", -90*60)))
	if want := "2016-07-17T10:12:58.0000001Z"; got != want {
		t.Errorf("FormatTime() = %q, want %q", got, want)
	}
}
