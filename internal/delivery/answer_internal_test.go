package delivery

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// answerCases are answers PagerDuty gives and the cases the fast path
// leaves to encoding/json; fast says which the scanner decides itself.
var answerCases = []struct {
	body string
	fast bool
}{
	{`{"status":"success","message":"Event processed","dedup_key":"srv01/HTTP"}`, true},
	{"{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"srv01/HTTP\"}\n", true},
	{`{"status":"invalid event","message":"Event object is invalid","errors":["'payload.source' is missing or blank"]}`, true},
	{` { "message" : "a" , "errors" : [ "x" , "y" ] } `, true},
	{`{"errors":[]}`, true},
	{`{}`, true},
	{`{"status":"throttle event","message":"Requests for this service are arriving too quickly. Please retry later."}`, true},
	{`{"message":"caf\u00e9"}`, false},
	{`{"message":"café"}`, false},
	{`{"message":"a\"b"}`, false},
	{`{"Message":"upper case key"}`, false},
	{`{"DEDUP_KEY":"k"}`, false},
	{`{"message":"a","message":"b"}`, false},
	{`{"errors":null}`, false},
	{`{"message":null}`, false},
	{`{"errors":"not an array"}`, false},
	{`{"count":3,"message":"number elsewhere"}`, false},
	{`{"message":"trailing"} x`, false},
	{`{"message":"unterminated`, false},
	{`{"message":"a",}`, false},
	{`<html>502 Bad Gateway</html>`, false},
	{``, false},
	{`[]`, false},
	{"{\"message\":\"tab\tinside\"}", false},
}

func TestDecodeAnswer(t *testing.T) {
	for _, tt := range answerCases {
		var want wireAnswer
		_ = json.Unmarshal([]byte(tt.body), &want)
		if diff := cmp.Diff(want, decodeAnswer(tt.body)); diff != "" {
			t.Errorf("decodeAnswer(%q) mismatch (-json.Unmarshal +decodeAnswer):\n%s", tt.body, diff)
		}
		if _, fast := scanAnswer(tt.body); fast != tt.fast {
			t.Errorf("scanAnswer(%q) decided it: %v, want %v", tt.body, fast, tt.fast)
		}
	}
}

// FuzzDecodeAnswer: whatever the body, decodeAnswer is json.Unmarshal.
func FuzzDecodeAnswer(f *testing.F) {
	for _, tt := range answerCases {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var want wireAnswer
		_ = json.Unmarshal(body, &want)
		if diff := cmp.Diff(want, decodeAnswer(string(body))); diff != "" {
			t.Errorf("decodeAnswer(%q) mismatch (-json.Unmarshal +decodeAnswer):\n%s", body, diff)
		}
	})
}
