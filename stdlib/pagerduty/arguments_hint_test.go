package pagerduty_test

import (
	"errors"
	"testing"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/parser"

	_ "github.com/fluxpd/fluxpd/stdlib/builtin" // the Flux stdlib with our pagerduty; starts Flux once per test binary
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// The parameter lists the errors show.
const (
	sendEventParams = "its parameters are routingKey, client, clientURL, dedupKey, class, group, severity, eventAction, source, summary, timestamp (required)" +
		" and component, customDetails, images, links, pagerdutyURL (optional)"
	eventFields = "the fields it reads are routingKey, client, clientURL, dedupKey, class, group, severity, eventAction, source, component, summary, timestamp, customDetails, links, images"
)

// checkScript checks src the way every host does before running it,
// InfluxDB's builds included: through pagerduty.CheckScript.
func checkScript(t *testing.T, src string) error {
	t.Helper()
	pkg := parser.ParseSource(src)
	if ast.Check(pkg) > 0 {
		t.Fatalf("the script does not parse: %v\n%s", ast.GetError(pkg), src)
	}
	return pagerduty.CheckScript(pkg)
}

// TestCheckScript_DidYouMean: a misspelled parameter of each function of the
// package, or field of mapFn's record, is named with the line and column
// it is at, the name it was most likely meant to be and every valid name,
// instead of Flux's "function does not take a parameter, required params
// (...)", which lists only the required ones.
func TestCheckScript_DidYouMean(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"sendEvent separator", `pagerduty.sendEvent(routingKey: k, custom_details: {a: 1})`,
			`line 3:36: pagerduty.sendEvent has no parameter "custom_details" (did you mean customDetails?); ` + sendEventParams},
		{"sendEvent case", `pagerduty.sendEvent(routingkey: k)`,
			`line 3:21: pagerduty.sendEvent has no parameter "routingkey" (did you mean routingKey?); ` + sendEventParams},
		{"sendEvent typo", `pagerduty.sendEvent(severty: "info")`,
			`line 3:21: pagerduty.sendEvent has no parameter "severty" (did you mean severity?); ` + sendEventParams},
		{"sendEvent no match", `pagerduty.sendEvent(priority: "P1")`,
			`line 3:21: pagerduty.sendEvent has no parameter "priority"; ` + sendEventParams},
		{"sendChangeEvent", `pagerduty.sendChangeEvent(routingKey: k, summary: "deploy", sorce: "ci")`,
			`line 3:61: pagerduty.sendChangeEvent has no parameter "sorce" (did you mean source?); ` +
				"its parameters are routingKey, summary (required) and customDetails, links, pagerdutyURL, source, timestamp (optional)"},
		{"severityFromLevel", `pagerduty.severityFromLevel(levle: "crit")`,
			`line 3:29: pagerduty.severityFromLevel has no parameter "levle" (did you mean level?); its parameters are level (required)`},
		{"actionFromLevel", `pagerduty.actionFromLevel(Level: "ok")`,
			`line 3:27: pagerduty.actionFromLevel has no parameter "Level" (did you mean level?); its parameters are level (required)`},
		{"actionFromSeverity", `pagerduty.actionFromSeverity(sev: "info")`,
			`line 3:30: pagerduty.actionFromSeverity has no parameter "sev"; its parameters are severity (required)`},
		{"dedupKey", `data |> pagerduty.dedupKey(exlude: ["_start"])`,
			`line 3:28: pagerduty.dedupKey has no parameter "exlude" (did you mean exclude?); its parameters are exclude, tables (optional)`},
		{"endpoint", `toPD = pagerduty.endpoint(concurency: 4)`,
			`line 3:27: pagerduty.endpoint has no parameter "concurency" (did you mean concurrency?); its parameters are concurrency, url (optional)`},
		{"endpoint's function", `data |> pagerduty.endpoint()(map_fn: (r) => ({routingKey: k}))()`,
			`line 3:30: the function pagerduty.endpoint() returns has no parameter "map_fn" (did you mean mapFn?); its parameters are mapFn (required)`},
		{"endpoint's last function", `pagerduty.endpoint()(mapFn: (r) => ({routingKey: k}))(table: data)`,
			`line 3:55: the function pagerduty.endpoint()(mapFn: ...) returns has no parameter "table" (did you mean tables?); its parameters are tables (required)`},
		{"through a variable", "toPD = pagerduty.endpoint()\ndata |> toPD(mapfn: (r) => ({routingKey: k}))()",
			`line 4:14: toPD (pagerduty.endpoint()) has no parameter "mapfn" (did you mean mapFn?); its parameters are mapFn (required)`},
		{"mapFn record", `data |> pagerduty.endpoint()(mapFn: (r) => ({routingKey: k, custom_details: {a: 1}}))()`,
			`line 3:61: mapFn returns the field "custom_details", which endpoint does not read (did you mean customDetails?); ` + eventFields},
		{"mapFn record with", "data |> pagerduty.endpoint()(mapFn: (r) => {\n  return {r with routingKey: k, sumary: r.msg}\n})()",
			`line 4:33: mapFn returns the field "sumary", which endpoint does not read (did you mean summary?); ` + eventFields},
		{"mapFn record unread", `data |> pagerduty.endpoint()(mapFn: (r) => if r.ok then {routingKey: k, note: "x"} else {routingKey: k})()`,
			`line 3:73: mapFn returns the field "note", which endpoint does not read; ` + eventFields},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkScript(t, "import \"pagerduty\"\nk = \"x\"\n"+tt.src+"\n")
			assertScriptError(t, err, tt.want)
		})
	}
}

// TestCheckScript_MissingCall: tables piped into pagerduty.endpoint, or into
// the function it returns, rather than into the function that function
// returns, get the position and the call to write instead of Flux's
// "function does not take a pipe argument"; so does monitor.notify's
// endpoint. The package's alias and the index form are followed.
func TestCheckScript_MissingCall(t *testing.T) {
	const notifyData = `{_notification_rule_id: "a", _notification_rule_name: "b", _notification_endpoint_id: "c", _notification_endpoint_name: "d"}`
	tests := []struct{ name, src, want string }{
		{"final call missing", `data |> pd.endpoint(url: u)(mapFn: (r) => ({routingKey: k}))`,
			"line 3:9: cannot pipe into pd.endpoint(url: ...)(mapFn: ...): it returns the function to pipe into; write |> pd.endpoint(url: ...)(mapFn: ...)()"},
		{"mapFn given to endpoint", `data |> pd.endpoint(mapFn: (r) => ({routingKey: k}))`,
			"line 3:9: cannot pipe into pd.endpoint(mapFn: ...): pd.endpoint()(mapFn: ...) returns the function to pipe into; write |> pd.endpoint()(mapFn: ...)()"},
		{"alias", "data |> pd.endpoint()",
			"line 3:9: cannot pipe into pd.endpoint(): pd.endpoint()(mapFn: ...) returns the function to pipe into; write |> pd.endpoint()(mapFn: ...)()"},
		{"index", `data |> pd["endpoint"](url: u)`,
			"line 3:9: cannot pipe into pd.endpoint(url: ...): pd.endpoint(url: ...)(mapFn: ...) returns the function to pipe into; write |> pd.endpoint(url: ...)(mapFn: ...)()"},
		{"variable", "toPD = pd.endpoint()\ndata |> toPD(mapFn: (r) => ({routingKey: k}))",
			"line 4:9: cannot pipe into toPD(mapFn: ...): it returns the function to pipe into; write |> toPD(mapFn: ...)()"},
		{"not piped", `toPD = pd.endpoint(mapFn: (r) => ({routingKey: k}))`,
			`line 3:20: pd.endpoint has no parameter "mapFn": mapFn is a parameter of the function pd.endpoint() returns; write pd.endpoint()(mapFn: ...)`},
		{"monitor.notify", "data |> monitor.notify(data: " + notifyData + ", endpoint: pd.endpoint())",
			"line 3:166: monitor.notify's endpoint must be the function to pipe tables into, which pd.endpoint() is not; write endpoint: pd.endpoint()(mapFn: ...)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkScript(t, "import pd \"pagerduty\"\nimport \"influxdata/influxdb/monitor\"\n"+tt.src+"\n")
			assertScriptError(t, err, tt.want)
		})
	}
}

// TestCheckScript_CorrectCallsPass: the check refuses nothing Flux accepts.
// Names a function's parameters or a block's variables hide are not the
// package's, and a mapFn built elsewhere is not looked into.
func TestCheckScript_CorrectCallsPass(t *testing.T) {
	src := `import "pagerduty"
import "influxdata/influxdb/monitor"
toPD = pagerduty["endpoint"](url: "http://127.0.0.1:1/", concurrency: 2)
f = (pagerduty) => pagerduty.endpoint(mapFn: 1)
g = (toPD) => toPD(anything: 1)
h = (tables=<-) => {
    toPD = (x) => x
    return tables |> toPD(x: 1)
}
toEvent = (r) => ({r with routingKey: "k", note: "kept for map()"})
a = (tables=<-) => tables |> toPD(mapFn: (r) => ({routingKey: "k", customDetails: {x: r._value}}))()
b = (tables=<-) => tables |> pagerduty.endpoint()(mapFn: toEvent)() |> pagerduty.dedupKey(exclude: [])
c = (tables=<-) => tables |> monitor.notify(data: {}, endpoint: toPD(mapFn: toEvent))
d = pagerduty.endpoint()(mapFn: (r) => if r.ok then {routingKey: "k", eventAction: "resolve"} else {routingKey: "k"})
e = (r) => pagerduty.severityFromLevel(level: r._level)
`
	if err := checkScript(t, src); err != nil {
		t.Errorf("WithScript refused a correct script: %v", err)
	}
}

// assertScriptError checks that err is Invalid with exactly want.
func assertScriptError(t *testing.T, err error, want string) {
	t.Helper()
	var ferr *flux.Error
	switch {
	case err == nil:
		t.Fatalf("got no error, want %q", want)
	case !errors.As(err, &ferr):
		t.Errorf("error is a %T, want a *flux.Error: %v", err, err)
	case ferr.Code != codes.Invalid:
		t.Errorf("error code = %v, want %v", ferr.Code, codes.Invalid)
	}
	if got := err.Error(); got != want {
		t.Errorf("error:\n got %s\nwant %s", got, want)
	}
}

// TestPackageSignatures_EveryFunction: every function pagerduty.flux
// declares or defines has its parameters known to the check, endpoint's
// three calls included.
func TestPackageSignatures_EveryFunction(t *testing.T) {
	counts := pagerduty.SignatureCounts()
	for _, name := range pagerduty.DeclaredFunctions() {
		if counts[name] == 0 {
			t.Errorf("the check knows no parameters of pagerduty.%s; it knows %v", name, counts)
		}
	}
	if got := counts["endpoint"]; got != 3 {
		t.Errorf("endpoint takes %d calls, want 3: (url, concurrency), (mapFn), (tables=<-)", got)
	}
}
