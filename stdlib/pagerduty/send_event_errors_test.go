package pagerduty_test

import (
	"fmt"
	"net"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/dependencies/url"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// Argument error messages, copied from internal/event and this package so
// that a change of wording is a deliberate change of these tests.
const (
	errRoutingKey = `routingKey is empty; set it to the integration key of an Events API v2 integration (hint: routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"))`
	errSummary    = "summary is empty; a trigger needs a short description of the problem"
	errSource     = "source is empty; a trigger needs the affected system, preferably a hostname or FQDN"
	errNotJSON    = ", which JSON cannot represent; replace it with null or a number, for example with a conditional in map()"
	errURL        = "pagerdutyURL must be an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue; got "
	errSize       = "the event is %d bytes of JSON; PagerDuty accepts at most 512000 (hint: customDetails is the usual cause; send fewer or shorter details)"
)

func errSeverity(got string) string {
	return `severity must be one of critical, error, warning, info; got "` + got + `" (hint: pagerduty.severityFromLevel(level: "` + got + `") maps monitoring levels such as crit, warn, info and ok to PagerDuty severities)`
}

func errAction(got string) string {
	return `eventAction must be one of trigger, acknowledge, resolve; got "` + got + `" (hint: pagerduty.actionFromLevel(level: r._level) maps monitoring levels to actions)`
}

// quotingValidator refuses every URL and quotes it whole, as a careless
// embedder's validator might.
type quotingValidator struct{}

func (quotingValidator) Validate(u *neturl.URL) error { return fmt.Errorf("refusing %s", u) }

// failCase is a sendEvent call that must fail. In args and wantErr,
// {receiver} stands for the case's emulator URL, {closed} for the URL of a
// closed server and {closedHost} for its host and port.
type failCase struct {
	name         string
	options      []string         // option statements before the call
	fn           string           // function called; "" means sendEvent
	args         args             // changes to triggerArgs("{receiver}")
	faults       []emulator.Fault // queued in the emulator; its own answers after them
	validator    url.Validator    // nil means url.PassValidator
	wantErr      string           // the message after the interpreter's prefix
	whole        bool             // wantErr is the whole message: an option error, raised before any call
	wantCode     codes.Code
	wantRequests int
}

// hugeDetails returns a customDetails record that makes the body larger
// than PagerDuty accepts, and the size of that body, counted on the body
// written out by hand.
func hugeDetails() (string, int) {
	pad := strings.Repeat("x", 600_000)
	body := `{"routing_key":"` + canaryKey + `","event_action":"trigger","payload":{"summary":"disk full",` +
		`"source":"db01.example.com","severity":"critical","custom_details":{"big":"` + pad + `"}}}`
	return `{big: "` + pad + `"}`, len(body)
}

// noAnswerTimeout is the attemptTimeout of the case that must see it
// expire against an emulator holding its answer back. The request must
// reach the emulator before then, so it is not a few milliseconds, which a
// loaded machine can take; the emulator holds the answer up to
// testwait.Limit, until the client gives up.
var noAnswerTimeout = testwait.Scaled(2 * time.Second).Round(time.Millisecond)

func failCases() []failCase {
	huge, hugeSize := hugeDetails()
	const noRetries = "option pagerduty.maxRetries = 0"
	return []failCase{
		{name: "severity crit", args: args{"severity": `"crit"`}, wantErr: errSeverity("crit"), wantCode: codes.Invalid},
		{name: "severity ok", args: args{"severity": `"ok"`}, wantErr: errSeverity("ok"), wantCode: codes.Invalid},
		{name: "eventAction ack", args: args{"eventAction": `"ack"`}, wantErr: errAction("ack"), wantCode: codes.Invalid},
		{name: "routingKey empty", args: args{"routingKey": `""`}, wantErr: errRoutingKey, wantCode: codes.Invalid},
		{name: "summary empty", args: args{"summary": `""`}, wantErr: errSummary, wantCode: codes.Invalid},
		{name: "source empty", args: args{"source": `" "`}, wantErr: errSource, wantCode: codes.Invalid},
		{
			name: "problems reported together on one line", args: args{"summary": `""`, "source": `""`, "severity": `"crit"`},
			wantErr: errSummary + "; " + errSource + "; " + errSeverity("crit"), wantCode: codes.Invalid,
		},
		{
			name: "timestamp yesterday", args: args{"timestamp": `"yesterday"`}, wantCode: codes.Invalid,
			wantErr: `timestamp must be a time or an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got "yesterday" (hint: pass now() or a time column such as r._time)`,
		},
		{
			name: "timestamp int", args: args{"timestamp": "1468744978"}, wantCode: codes.Invalid,
			wantErr: `timestamp must be a time such as now() or r._time, or an ISO 8601 date-time string such as "2016-07-17T08:42:58.315+0000"; got int 1468744978`,
		},
		{
			name: "timestamp function", args: args{"timestamp": "(x) => x"}, wantCode: codes.Invalid,
			wantErr: `timestamp must be a time such as now() or r._time, or an ISO 8601 date-time string such as "2016-07-17T08:42:58.315+0000"; got a function`,
		},
		{name: "customDetails NaN", args: args{"customDetails": `{load: float(v: "NaN")}`}, wantErr: "customDetails.load is NaN" + errNotJSON, wantCode: codes.Invalid},
		{name: "customDetails +Inf under a key with a space", args: args{"customDetails": `{"ping time": float(v: "+Inf")}`}, wantErr: `customDetails["ping time"] is +Inf` + errNotJSON, wantCode: codes.Invalid},
		{name: "customDetails nested -Inf", args: args{"customDetails": `{a: [{x: 1.0}, {x: float(v: "-Inf")}]}`}, wantErr: "customDetails.a[1].x is -Inf" + errNotJSON, wantCode: codes.Invalid},
		{
			name: "customDetails holding a function", args: args{"customDetails": `{ok: 1, f: (x) => x}`}, wantCode: codes.Invalid,
			wantErr: "customDetails.f is a function, which cannot be sent as JSON; use a string, number, bool, time, duration, record or array",
		},
		{
			name: "customDetails not a record", args: args{"customDetails": "1"}, wantCode: codes.Invalid,
			wantErr: `customDetails must be a record such as {host: r.host, "ping time": r.ping}; got int 1`,
		},
		{
			name: "dedupKey too long", args: args{"dedupKey": fluxString(strings.Repeat("k", 256))}, wantCode: codes.Invalid,
			wantErr: "dedupKey is 256 characters long; PagerDuty accepts at most 255 (it is not cut, because a shorter key would address a different alert)",
		},
		{
			name: "acknowledge without dedupKey", args: args{"eventAction": `"acknowledge"`}, wantCode: codes.Invalid,
			wantErr: "dedupKey is empty; acknowledge needs the dedupKey of the alert it acts on (the one its trigger used or got back)",
		},
		{name: "pagerdutyURL not a URL", args: args{"pagerdutyURL": `"not a url"`}, wantErr: errURL + "a value without a scheme (not shown in case it is a secret)", wantCode: codes.Invalid},
		{name: "pagerdutyURL without host", args: args{"pagerdutyURL": `"http:///v2/enqueue"`}, wantErr: errURL + `"http:///v2/enqueue" (host is empty)`, wantCode: codes.Invalid},
		{
			name: "pagerdutyURL ftp with secrets", args: args{"pagerdutyURL": `"ftp://user:SECRETPASS@example.com/v2/enqueue?token=SECRETTOKEN"`},
			wantErr: errURL + `"ftp://example.com/v2/enqueue" (scheme must be http or https, was "ftp")`, wantCode: codes.Invalid,
		},
		{
			name: "pagerdutyURL unparseable", args: args{"pagerdutyURL": `"http://user:SECRETPASS@example.com/%zz?token=SECRETTOKEN"`},
			wantErr: errURL + `<unparseable URL> (invalid URL escape "%zz")`, wantCode: codes.Invalid,
		},
		{name: "pagerdutyURL port out of range", args: args{"pagerdutyURL": `"http://127.0.0.1:70000/v2/enqueue"`}, wantErr: errURL + `"http://127.0.0.1:70000/v2/enqueue" (port "70000" is out of range (1 to 65535))`, wantCode: codes.Invalid},
		{name: "pagerdutyURL empty", args: args{"pagerdutyURL": `""`}, wantErr: "pagerdutyURL is empty; set it to an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue", wantCode: codes.Invalid},
		{name: "body over 512000 bytes", args: args{"customDetails": huge}, wantErr: fmt.Sprintf(errSize, hugeSize), wantCode: codes.Invalid},
		// Options are checked before the script runs: no function prefix.
		{name: "maxRetries negative", options: []string{"option pagerduty.maxRetries = -1"}, whole: true, wantErr: "option pagerduty.maxRetries must be an int between 0 and 100; got int -1", wantCode: codes.Invalid},
		{name: "maxRetries too large", options: []string{"option pagerduty.maxRetries = 101"}, whole: true, wantErr: "option pagerduty.maxRetries must be an int between 0 and 100; got int 101", wantCode: codes.Invalid},
		{name: "maxRetries a string", options: []string{`option pagerduty.maxRetries = "3"`}, whole: true, wantErr: `option pagerduty.maxRetries must be an int between 0 and 100; got string "3"`, wantCode: codes.Invalid},
		{name: "attemptTimeout zero", options: []string{"option pagerduty.attemptTimeout = 0s"}, whole: true, wantErr: "option pagerduty.attemptTimeout must be a positive duration such as 10s; got duration 0ns", wantCode: codes.Invalid},
		{name: "deadline zero", options: []string{"option pagerduty.deadline = 0s"}, whole: true, wantErr: "option pagerduty.deadline must be a positive duration such as 10s; got duration 0ns", wantCode: codes.Invalid},
		{name: "option misspelled", options: []string{`option pagerduty.defaultUrl = "http://127.0.0.1:1/v2/enqueue"`}, whole: true, wantErr: `pagerduty has no option "defaultUrl"; its options are defaultURL, defaultChangeURL, maxRetries, attemptTimeout, deadline`, wantCode: codes.Invalid},
		{name: "defaultURL not a URL", options: []string{`option pagerduty.defaultURL = "events.pagerduty.com"`}, whole: true, wantErr: "option pagerduty.defaultURL must be an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue; got a value without a scheme (not shown in case it is a secret)", wantCode: codes.Invalid},
		{
			name: "connection refused", options: []string{noRetries}, args: args{"pagerdutyURL": `"{closed}"`}, wantCode: codes.Unavailable,
			wantErr: "failed to post event to PagerDuty at {closed} after 1 attempt: dial tcp {closedHost}: connect: connection refused",
		},
		{
			name: "no answer within attemptTimeout", options: []string{noRetries, fmt.Sprintf("option pagerduty.attemptTimeout = %dms", noAnswerTimeout.Milliseconds())},
			faults: []emulator.Fault{{Status: 202, Delay: testwait.Limit()}}, wantRequests: 1, wantCode: codes.Unavailable,
			wantErr: fmt.Sprintf("failed to post event to PagerDuty at {receiver} after 1 attempt: no answer within %v: context deadline exceeded", noAnswerTimeout),
		},
		{
			name: "private IP refused by the URL validator", validator: url.PrivateIPValidator{}, wantCode: codes.Invalid,
			wantErr: "PagerDuty URL {receiver} refused by URL validator: url is not valid, it connects to a private IP",
		},
		{
			name: "validator quoting the URL", validator: quotingValidator{}, wantCode: codes.Invalid,
			wantErr: "PagerDuty URL {receiver} refused by URL validator: refusing {receiver}",
		},
	}
}

// closedURL returns the /v2/enqueue URL of a 127.0.0.1 port where nothing
// listens, so that connecting to it fails at once.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr + "/v2/enqueue"
}

// runFailCase runs tc against a new emulator, with URLs changed by
// decorateURL, and returns the emulator, the replacer of placeholders and
// the script's error.
func runFailCase(t *testing.T, tc failCase, decorateURL func(string) string) (*emulator.Server, *strings.Replacer, error) {
	t.Helper()
	emu := newEmulator(t, tc.faults...)
	closed := closedURL(t)
	u, err := neturl.Parse(closed)
	if err != nil {
		t.Fatal(err)
	}
	r := strings.NewReplacer("{receiver}", decorateURL(emu.EventsURL()), "{closed}", decorateURL(closed), "{closedHost}", u.Host)
	a := triggerArgs("{receiver}").with()
	for k, v := range tc.args {
		a[k] = v
	}
	for k, v := range a {
		a[k] = r.Replace(v)
	}
	fn := tc.fn
	if fn == "" {
		fn = "sendEvent"
	}
	out, err := run(t, tc.validator, time.Time{}, script(append(append([]string(nil), tc.options...), call(fn, a))...))
	if err == nil {
		t.Fatalf("script printed %q and succeeded, want an error", out)
	}
	return emu, r, err
}

func TestSendEvent_Errors(t *testing.T) {
	for _, tc := range failCases() {
		t.Run(tc.name, func(t *testing.T) {
			emu, r, err := runFailCase(t, tc, func(u string) string { return u })
			prefix := `error calling function "sendEvent": `
			if tc.whole {
				prefix = ""
			}
			if want := prefix + r.Replace(tc.wantErr); err.Error() != want {
				t.Errorf("error mismatch (-want +got):\n%s", cmp.Diff(want, err.Error()))
			}
			if got := flux.ErrorCode(err); got != tc.wantCode {
				t.Errorf("error code = %v, want %v", got, tc.wantCode)
			}
			if got := len(emu.Requests()); got != tc.wantRequests {
				t.Errorf("emulator got %d requests, want %d", got, tc.wantRequests)
			}
		})
	}
}

// TestSendEvent_NoSecretLeak runs every failing call with URLs carrying a
// password and a token, plus calls that put the routing key where it does
// not belong, and checks that no error shows the routing key, the password
// or the token.
func TestSendEvent_NoSecretLeak(t *testing.T) {
	key := fluxString(canaryKey)
	cases := append(failCases(),
		failCase{name: "routingKey and pagerdutyURL swapped", args: args{"pagerdutyURL": key, "routingKey": `"{receiver}"`}},
		failCase{name: "routing key passed as severity", args: args{"severity": key}},
		failCase{name: "routing key passed as eventAction", args: args{"eventAction": key}},
		failCase{name: "routing key passed as timestamp", args: args{"timestamp": key}},
		failCase{name: "routing key in an ftp URL", args: args{"pagerdutyURL": `"ftp://example.com/` + canaryKey + `"`}},
		failCase{name: "routing key in the path of an unreachable URL", options: []string{"option pagerduty.maxRetries = 0"},
			args: args{"pagerdutyURL": `"{closed}/` + canaryKey + `"`}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runFailCase(t, tc, decorate)
			for _, secret := range []string{canaryKey, "SECRETPASS", "SECRETTOKEN"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows %q: %v", secret, err)
				}
			}
		})
	}
}

// TestWrongTypes_NameTheParameter checks that a value of the wrong type is
// reported by parameter, expected type and value, not as a type checker's
// "string != int" with a position, for both sending functions. Nothing is
// sent: the URL is a closed port.
func TestWrongTypes_NameTheParameter(t *testing.T) {
	closed := closedURL(t)
	event := triggerArgs(closed)
	change := args{"pagerdutyURL": fluxString(closed), "routingKey": fluxString(canaryKey), "summary": `"deployed"`}
	const (
		wantLinks = `links must be an array of records such as [{href: "https://runbooks.example.com/disk", text: "Runbook"}]; got string "x"`
		wantTime  = `timestamp must be a time such as now() or r._time, or an ISO 8601 date-time string such as "2016-07-17T08:42:58.315+0000"; got int 5`
		wantRec   = `customDetails must be a record such as {host: r.host, "ping time": r.ping}; got string "x"`
	)
	for _, tc := range []struct {
		name, fn string
		args     args
		want     string
	}{
		{"severity int", "sendEvent", event.with("severity", "3"), `severity must be a string such as "critical"; got int 3 (hint: convert a value with string(v: ...))`},
		{"routingKey int", "sendEvent", event.with("routingKey", "42"), `routingKey must be a string such as secrets.get(key: "PAGERDUTY_ROUTING_KEY"); got int 42 (hint: convert a value with string(v: ...))`},
		{"customDetails string", "sendEvent", event.with("customDetails", `"x"`), wantRec},
		{"links string", "sendEvent", event.with("links", `"x"`), wantLinks},
		{"timestamp int", "sendEvent", event.with("timestamp", "5"), wantTime},
		{"pagerdutyURL int", "sendEvent", event.with("pagerdutyURL", "8080"), `pagerdutyURL must be a string such as "https://events.pagerduty.com/v2/enqueue"; got int 8080 (hint: convert a value with string(v: ...))`},
		{"change source bool", "sendChangeEvent", change.with("source", "true"), `source must be a string such as "db01.example.com"; got bool true (hint: convert a value with string(v: ...))`},
		{"change customDetails string", "sendChangeEvent", change.with("customDetails", `"x"`), wantRec},
		{"change links string", "sendChangeEvent", change.with("links", `"x"`), wantLinks},
		{"change timestamp int", "sendChangeEvent", change.with("timestamp", "5"), wantTime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, nil, time.Time{}, script(call(tc.fn, tc.args)))
			want := `error calling function "` + tc.fn + `": ` + tc.want
			if err == nil || err.Error() != want {
				t.Errorf("error mismatch (-want +got):\n%s", cmp.Diff(want, fmt.Sprint(err)))
			}
			if got := flux.ErrorCode(err); got != codes.Invalid {
				t.Errorf("error code = %v, want %v", got, codes.Invalid)
			}
		})
	}
}
