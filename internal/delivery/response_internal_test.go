package delivery

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseFlat checks the allocation-free fast path against the general
// parser: where parseFlat accepts a body, both must agree; where it
// declines, parseAnswer decides.
func TestParseFlat(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantFast bool
		want     Response
	}{
		{name: "accepted", body: `{"status":"success","message":"Event processed","dedup_key":"srv01/HTTP"}`, wantFast: true,
			want: Response{Status: "success", Message: "Event processed", DedupKey: "srv01/HTTP"}},
		{name: "change event", body: "{\"status\":\"success\",\"message\":\"Change event processed\"}\n", wantFast: true,
			want: Response{Status: "success", Message: "Change event processed"}},
		{name: "white space", body: " { \"status\" :\t\"success\" ,\r\n\"dedup_key\": \"k\" } ", wantFast: true,
			want: Response{Status: "success", DedupKey: "k"}},
		{name: "empty object", body: `{}`, wantFast: true},
		{name: "unknown string field", body: `{"status":"success","extra":"x"}`, wantFast: true, want: Response{Status: "success"}},
		{name: "keys fold case", body: `{"STATUS":"success","Dedup_Key":"k"}`, wantFast: true, want: Response{Status: "success", DedupKey: "k"}},
		{name: "duplicate key, last wins", body: `{"status":"a","status":"b"}`, wantFast: true, want: Response{Status: "b"}},
		{name: "unicode", body: `{"message":"événement traité"}`, wantFast: true, want: Response{Message: "événement traité"}},
		{name: "escape", body: `{"dedup_key":"a\"b"}`, want: Response{DedupKey: `a"b`}},
		{name: "unicode escape", body: `{"dedup_key":"\u00e9"}`, want: Response{DedupKey: "é"}},
		{name: "errors array", body: `{"status":"invalid event","message":"Event object is invalid","errors":["x","y"]}`,
			want: Response{Status: "invalid event", Message: "Event object is invalid", Errors: []string{"x", "y"}}},
		{name: "number value", body: `{"status":"success","count":1}`, want: Response{Status: "success"}},
		{name: "wrong type", body: `{"status":1,"message":"m"}`, want: Response{Message: "m"}},
		{name: "invalid after a field", body: `{"status":"success", 5}`},
		{name: "trailing comma", body: `{"status":"success",}`},
		{name: "trailing data", body: `{"status":"success"} x`},
		{name: "truncated", body: `{"status":"succ`},
		{name: "invalid UTF-8", body: "{\"message\":\"\xff\"}", want: Response{Message: "\ufffd"}},
		{name: "control character", body: "{\"message\":\"a\tb\"}"},
		{name: "not JSON", body: `<html></html>`},
		{name: "array", body: `["status"]`},
		{name: "empty", body: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fast Response
			if got := parseFlat(tt.body, &fast); got != tt.wantFast {
				t.Errorf("parseFlat(%q) = %v, want %v", tt.body, got, tt.wantFast)
			}
			var general Response
			parseAnswer([]byte(tt.body), &general)
			if diff := cmp.Diff(tt.want, general); diff != "" {
				t.Errorf("parseAnswer(%q) mismatch (-want +got):\n%s", tt.body, diff)
			}
			if !tt.wantFast {
				if diff := cmp.Diff(Response{}, fast); diff != "" {
					t.Errorf("parseFlat(%q) declined but changed the response (-want +got):\n%s", tt.body, diff)
				}
				return
			}
			if diff := cmp.Diff(general, fast); diff != "" {
				t.Errorf("parseFlat(%q) disagrees with parseAnswer (-general +fast):\n%s", tt.body, diff)
			}
		})
	}
}

func TestParseFlat_NoAllocations(t *testing.T) {
	const body = `{"status":"success","message":"Event processed","dedup_key":"srv01/HTTP"}`
	var r Response
	if n := testing.AllocsPerRun(100, func() { parseFlat(body, &r) }); n != 0 {
		t.Errorf("parseFlat allocated %v times per run, want 0", n)
	}
}
