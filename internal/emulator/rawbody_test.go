package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// rawRequest is the part of GET /_emulator/requests?raw=1 these tests read.
type rawRequest struct {
	ID            int            `json:"id"`
	Verdict       string         `json:"verdict"`
	RoutingKey    string         `json:"routing_key"`
	Body          map[string]any `json:"body"` // must be absent: the raw view replaces it
	RawBody       string         `json:"raw_body"`
	RawBodyBase64 string         `json:"raw_body_base64"`
	RawBodyNote   string         `json:"raw_body_note"`
}

// quotedMask is keyMask as a JSON string.
const quotedMask = `"` + keyMask + `"`

func TestEmulator_Requests_Raw(t *testing.T) {
	// Each body as sent, and as the raw view must serve it. Only the
	// routing key changes; white space, member order, escapes, number
	// spellings and duplicate members stay.
	tests := []struct{ name, sent, want string }{
		{
			name: "as sent, key masked",
			sent: "{ \"payload\": {\"summary\":\"Disk <99%> & \\u00e9t\\u00e9\",\"source\":\"db\\/1\",\"severity\":\"info\",\"custom_details\":{\"n\":1.50,\"e\":1E2}},\n\t\"routing_key\" : \"" + key + "\", \"event_action\":\"trigger\", \"x\":[true,null] }",
			want: "{ \"payload\": {\"summary\":\"Disk <99%> & \\u00e9t\\u00e9\",\"source\":\"db\\/1\",\"severity\":\"info\",\"custom_details\":{\"n\":1.50,\"e\":1E2}},\n\t\"routing_key\" : " + quotedMask + ", \"event_action\":\"trigger\", \"x\":[true,null] }",
		},
		{
			name: "the key elsewhere, plain and escaped, as a value and a member name",
			sent: `{"routing_key":"` + key + `","event_action":"trigger","payload":{"summary":"key ` + key + ` <here>","source":"s","severity":"info","custom_details":{"` + key + `":"k\u0033yA` + key[4:] + `"}}}`,
			want: `{"routing_key":` + quotedMask + `,"event_action":"trigger","payload":{"summary":"key ` + keyMask + ` <here>","source":"s","severity":"info","custom_details":{` + quotedMask + `:` + quotedMask + `}}}`,
		},
		{
			name: "duplicate routing_key members, one escaped",
			sent: `{"routing_key":"` + otherKey + `","event_action":"resolve","dedup_key":"d ` + otherKey + `","routing\u005fkey":"` + key + `"}`,
			want: `{"routing_key":"k3yB**************************QZ","event_action":"resolve","dedup_key":"d k3yB**************************QZ","routing\u005fkey":` + quotedMask + `}`,
		},
		{
			name: "a routing_key of another type",
			sent: `{"routing_key": {"k": "` + key + `"}, "event_action":"resolve","dedup_key":"d"}`,
			want: `{"routing_key": "{\"k\"**********************************\"}", "event_action":"resolve","dedup_key":"d"}`,
		},
		{
			name: "a nested routing_key member is not the routing key",
			sent: `{"routing_key":"` + key + `","event_action":"resolve","dedup_key":"d","payload":{"routing_key":"not-a-key"}}`,
			want: `{"routing_key":` + quotedMask + `,"event_action":"resolve","dedup_key":"d","payload":{"routing_key":"not-a-key"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			post(t, s.EventsURL(), tt.sent)
			got := decodeJSON[[]rawRequest](t, "the raw view", get(t, s.URL()+"/_emulator/requests?raw=1"))
			if len(got) != 1 {
				t.Fatalf("%d requests served, want 1: %+v", len(got), got)
			}
			if got[0].RawBody != tt.want || got[0].Body != nil {
				t.Errorf("raw_body:\n got %s\nwant %s\n(body %v, want none)", got[0].RawBody, tt.want, got[0].Body)
			}
			if !json.Valid([]byte(got[0].RawBody)) {
				t.Errorf("raw_body is not JSON: %s", got[0].RawBody)
			}
		})
	}
}

// TestEmulator_Requests_Raw_NotShown checks the bodies the raw view leaves
// out, and the one it must encode because it is not UTF-8.
func TestEmulator_Requests_Raw_NotShown(t *testing.T) {
	s := emulatortest.New(t)
	post(t, s.EventsURL(), `{"routing_key":"`+key+`",`)                    // not JSON
	post(t, s.EventsURL(), `["`+key+`"]`)                                  // not an object
	post(t, s.EventsURL(), trigger(set("x", strings.Repeat("y", 512000)))) // too large
	notUTF8 := `{"routing_key":"` + key + "\",\"event_action\":\"resolve\",\"dedup_key\":\"\xff\"}"
	post(t, s.EventsURL(), notUTF8)
	got := decodeJSON[[]rawRequest](t, "the raw view", get(t, s.URL()+"/_emulator/requests?raw=true"))
	notes := []string{"not shown: the body is not a JSON object", "not shown: the body is not a JSON object", "not shown: the body is over PagerDuty's 512000-byte limit", ""}
	for i, want := range notes {
		if got[i].RawBodyNote != want || (want != "" && (got[i].RawBody != "" || got[i].RawBodyBase64 != "")) {
			t.Errorf("request %d: note %q, raw_body %q; want note %q and no body", i+1, got[i].RawBodyNote, got[i].RawBody, want)
		}
	}
	b, err := base64.StdEncoding.DecodeString(got[3].RawBodyBase64)
	if want := strings.Replace(notUTF8, `"`+key+`"`, quotedMask, 1); err != nil || string(b) != want || got[3].RawBody != "" {
		t.Errorf("not UTF-8: raw_body_base64 decodes to %q (%v), raw_body %q; want %q in base64 only", b, err, got[3].RawBody, want)
	}
}

func TestEmulator_Requests_RawParam(t *testing.T) {
	s := emulatortest.New(t)
	post(t, s.EventsURL(), trigger())
	for _, v := range []string{"0", "false", ""} {
		got := decodeJSON[[]rawRequest](t, "the view", get(t, s.URL()+"/_emulator/requests?raw="+v))
		if got[0].Body == nil || got[0].RawBody != "" {
			t.Errorf("raw=%s: body %v, raw_body %q; want the decoded body only", v, got[0].Body, got[0].RawBody)
		}
	}
	code, body := getStatus(t, s.URL()+"/_emulator/requests?raw="+key)
	want := `raw must be 1 or true (each body as received, routing keys masked), or 0, false or absent (each body decoded); got \"` + keyMask + `\"`
	if code != http.StatusBadRequest || !strings.Contains(body, want) || strings.Contains(body, key) {
		t.Errorf("raw=<key>: %d %s; want 400 saying %s", code, body, want)
	}
}

// getStatus fetches a URL and returns its status and body.
func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	return res.StatusCode, string(b)
}

// decodeNumbers decodes JSON keeping numbers' text (json.Number).
func decodeNumbers[T any](t *testing.T, what, s string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s is not the JSON expected: %v\n%s", what, err, s)
	}
	return v
}

// FuzzRawBody posts arbitrary bodies and compares the two views of each:
// the raw view must never show the key, and, decoded, must be the decoded
// view (both mask the same texts the same way).
func FuzzRawBody(f *testing.F) {
	for _, seed := range []string{
		trigger(), change(), ack(key, "d"), `{"routing_key":"` + key + `","x":"` + key + `"}`,
		`{"routing_key":12345678901234567890123456789012,"n":12345678901234567890123456789012}`,
		`{"routing_key":"k3y\u0041` + key[4:] + `","s":"\u006b3yA` + key[4:] + `"}`, `{}`, `{"a":{"b":[{"c":[]}]}}`,
	} {
		f.Add(seed)
	}
	e := emulator.New(emulator.Options{})
	f.Fuzz(func(t *testing.T, sent string) {
		e.Reset()
		httptestRecorder(e, http.MethodPost, emulator.EventsPath, sent)
		reqs := e.Requests()
		raw := decodeJSON[[]rawRequest](t, "the raw view", httptestRecorder(e, http.MethodGet, "/_emulator/requests?raw=1", "").Body.String())
		decodedJSON := httptestRecorder(e, http.MethodGet, "/_emulator/requests", "").Body.String()
		decoded := decodeJSON[[]servedRequest](t, "the view", decodedJSON)
		shown := raw[0].RawBody
		if b, err := base64.StdEncoding.DecodeString(raw[0].RawBodyBase64); err == nil && len(b) > 0 {
			shown = string(b)
		}
		if k := reqs[0].RoutingKey; len(k) >= 6 && strings.Contains(shown, k) {
			t.Fatalf("the raw view shows the key %q: %s", k, shown)
		}
		if raw[0].RawBodyNote != decoded[0].BodyNote || (shown == "") != (raw[0].RawBodyNote != "") {
			t.Fatalf("the views disagree on showing the body: raw %q (note %q), decoded %v (note %q)", shown, raw[0].RawBodyNote, decoded[0].Body, decoded[0].BodyNote)
		}
		if shown == "" || strings.Count(sent, `"routing_key"`) > 1 || !strings.Contains(sent, `"routing_key"`) {
			return // duplicate or escaped members: the raw view masks each key found
		}
		got := decodeNumbers[map[string]any](t, "the raw view's body", shown)
		want, _ := decodeNumbers[[]map[string]any](t, "the view", decodedJSON)[0]["body"].(map[string]any)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("raw view decoded vs decoded view (-decoded +raw):\n%s", diff)
		}
	})
}
