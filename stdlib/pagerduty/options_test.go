package pagerduty_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux"
	"github.com/influxdata/flux/dependencies/url"
	"github.com/influxdata/flux/parser"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/fluxrun"
	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// oneRow is annotated CSV of one row, host db01, level crit.
const oneRow = `data = "#datatype,string,long,string,string
#group,false,false,false,false
#default,_result,,,
,result,table,host,level
,,0,db01,crit
"
`

// mapSend is a sendEvent call inside map() with no pagerdutyURL.
const mapSend = `csv.from(csv: data) |> map(fn: (r) => ({r with s: pagerduty.sendEvent(
    routingKey: "` + testKey + `", client: "", clientURL: "", dedupKey: r.host, class: "", group: "",
    severity: pagerduty.severityFromLevel(level: r.level), eventAction: "trigger",
    source: r.host, summary: "from map", timestamp: ""),
}))
`

// TestOptions_ReachEveryCall runs calls that Flux v0.65 alone would send
// to the package's default URL (events.pagerduty.com) and checks that
// they reach the emulator the script's option names. The HTTP client
// refuses any other address.
func TestOptions_ReachEveryCall(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"sendEvent in map()", mapSend},
		{"sendEvent in a function called from map()", `
send = (r) => pagerduty.sendEvent(routingKey: "` + testKey + `", client: "", clientURL: "", dedupKey: r.host, class: "", group: "",
    severity: "critical", eventAction: "trigger", source: r.host, summary: "from a function", timestamp: "")
csv.from(csv: data) |> map(fn: (r) => ({r with s: send(r: r)}))
`},
		{"endpoint()", `
csv.from(csv: data) |> pagerduty.endpoint()(mapFn: (r) => ({routingKey: "` + testKey + `", client: "", clientURL: "",
    class: "", group: "", severity: "critical", eventAction: "trigger", source: r.host, summary: "from endpoint", timestamp: ""}))()
`},
		{"sendEvent at the top level", `
pagerduty.sendEvent(routingKey: "` + testKey + `", client: "", clientURL: "", dedupKey: "db01", class: "", group: "",
    severity: "critical", eventAction: "trigger", source: "db01", summary: "top level", timestamp: "")
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulatortest.New(t)
			src := fmt.Sprintf("option pagerduty.defaultURL = %q\n%s%s", emu.EventsURL(), oneRow, tc.src)
			if _, _, err := loopbackQuery(context.Background(), src); err != nil {
				t.Fatalf("the query failed: %v", err)
			}
			if n := len(emu.Requests()); n != 1 {
				t.Errorf("the emulator received %d requests, want 1", n)
			}
		})
	}
}

// TestOptions_AliasAndComputed: the package imported under another name,
// and an option computed from a variable, still reach calls in map().
func TestOptions_AliasAndComputed(t *testing.T) {
	emu := emulatortest.New(t)
	src := fmt.Sprintf(`import pd "pagerduty"
base = %q
option pd.defaultURL = base + "/v2/enqueue"
option pd.maxRetries = 0
`, emu.URL()) + oneRow + strings.ReplaceAll(mapSend, "pagerduty.", "pd.")
	emu.Inject(emulator.Fault{Status: 503})
	rows, _, err := loopbackQuery(context.Background(), src)
	if err != nil {
		t.Fatalf("the query failed: %v", err)
	}
	// maxRetries = 0 inside map(): the 503 is final, one request.
	if len(rows) != 1 || rows[0]["s"] != "503" {
		t.Errorf("rows = %v, want one row with s = 503", rows)
	}
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("the emulator received %d requests, want 1 (no retry)", n)
	}
}

// TestOptions_PerQuery runs queries at once in one process, each pointing
// defaultURL at its own emulator: each emulator sees only its own events.
func TestOptions_PerQuery(t *testing.T) {
	const queries = 4
	emus := make([]*emulator.Server, queries)
	for i := range emus {
		emus[i] = emulatortest.New(t)
	}
	var wg sync.WaitGroup
	errs := make([]error, queries)
	for i := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := fmt.Sprintf("option pagerduty.defaultURL = %q\n%s%s", emus[i].EventsURL(), oneRow, mapSend)
			_, _, errs[i] = loopbackQuery(context.Background(), src)
		}()
	}
	wg.Wait()
	for i, emu := range emus {
		if errs[i] != nil {
			t.Errorf("query %d: %v", i, errs[i])
		}
		if n := len(emu.Requests()); n != 1 {
			t.Errorf("emulator %d received %d requests, want 1", i, n)
		}
	}
}

// TestHost_DefaultsAndReports: the host's default URL applies when the
// script sets none, the script's option wins over it, and a failed send
// is reported once with the routing key masked.
func TestHost_DefaultsAndReports(t *testing.T) {
	hostEmu, scriptEmu := emulatortest.New(t), emulatortest.New(t)
	var mu sync.Mutex
	var reports []pagerduty.Failure
	ctx := pagerduty.WithHost(context.Background(), pagerduty.Host{
		URL: hostEmu.EventsURL(),
		Report: func(f pagerduty.Failure) {
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, f)
		},
	})
	if _, _, err := loopbackQuery(ctx, oneRow+mapSend); err != nil {
		t.Fatal(err)
	}
	if n := len(hostEmu.Requests()); n != 1 {
		t.Errorf("the host's URL received %d requests, want 1", n)
	}
	src := fmt.Sprintf("option pagerduty.defaultURL = %q\noption pagerduty.maxRetries = 0\n", scriptEmu.EventsURL()) +
		oneRow + strings.Replace(mapSend, testKey, "short-key-0123456789012345678901", 1)
	scriptEmu.Inject(emulator.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}`})
	if _, _, err := loopbackQuery(ctx, src); err != nil {
		t.Fatal(err)
	}
	if n := len(scriptEmu.Requests()); n != 1 {
		t.Errorf("the script's URL received %d requests, want 1", n)
	}
	if n := len(hostEmu.Requests()); n != 1 {
		t.Errorf("the host's URL received %d requests after the script set its own, want still 1", n)
	}
	if len(reports) != 1 {
		t.Fatalf("got %d reports, want 1: %v", len(reports), reports)
	}
	got := reports[0].String()
	want := `pagerduty.sendEvent: 400 Bad Request from ` + scriptEmu.EventsURL() + ` after 1 attempt (dedup key "db01"): Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)`
	if got != want {
		t.Errorf("report\n got: %s\nwant: %s", got, want)
	}
}

// TestWithScript_Required: a host that does not load the script's options
// gets an error that says what to call, never a send to the default URL.
func TestWithScript_Required(t *testing.T) {
	ctx := flux.Deps{Deps: flux.WrappedDeps{HTTPClient: &http.Client{Transport: loopbackOnly{}}, URLValidator: url.PassValidator{}}}.Inject(context.Background())
	_, _, err := flux.Eval(ctx, `import "pagerduty"
pagerduty.sendEvent(routingKey: "`+testKey+`", client: "", clientURL: "", dedupKey: "k", class: "", group: "",
    severity: "critical", eventAction: "trigger", source: "h", summary: "s", timestamp: "")`)
	if err == nil || !strings.Contains(err.Error(), "pagerduty.Prepare(host)") {
		t.Errorf("error = %v, want one naming pagerduty.Prepare", err)
	}
}

// TestOptions_MatchFlux ties pagerduty.flux's option defaults to the Go
// defaults the builtins use.
func TestOptions_MatchFlux(t *testing.T) {
	pkg := parser.ParseSource(`import "pagerduty"
pagerduty.defaultURL
pagerduty.defaultChangeURL
pagerduty.maxRetries
pagerduty.attemptTimeout
pagerduty.deadline
`)
	var out strings.Builder
	r := fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript, Deps: flux.NewDefaultDependencies(), Values: &out}
	if err := r.RunAST(context.Background(), pkg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("printed %q, want 5 lines", out.String())
	}
	attempt, err1 := time.ParseDuration(lines[3])
	deadline, err2 := time.ParseDuration(lines[4])
	got := []any{lines[0], lines[1], lines[2], attempt, deadline, err1, err2}
	want := []any{pagerduty.DefaultURL, pagerduty.DefaultChangeURL, strconv.Itoa(delivery.DefaultMaxRetries),
		delivery.DefaultAttemptTimeout, delivery.DefaultDeadline, nil, nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pagerduty.flux's options differ from the Go defaults (-want +got):\n%s", diff)
	}
}

// loopbackQuery runs src like fluxQuery, with ctx bounded by
// testwait.Limit against hangs, through an HTTP client that refuses every
// address but 127.0.0.1.
func loopbackQuery(ctx context.Context, src string) ([]fluxRow, string, error) {
	ctx, cancel := context.WithTimeout(ctx, testwait.Limit())
	defer cancel()
	var out strings.Builder
	rows := &rowCollector{}
	r := fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript,
		Deps:    flux.Deps{Deps: flux.WrappedDeps{HTTPClient: &http.Client{Transport: loopbackOnly{}}, URLValidator: url.PassValidator{}}},
		Values:  &out,
		Results: rows,
	}
	prelude := "import \"pagerduty\"\nimport \"csv\"\n"
	if strings.HasPrefix(src, "import pd") {
		prelude = "import \"csv\"\n"
	}
	err := r.Run(ctx, "script", prelude+src)
	return rows.rows, out.String(), err
}

// loopbackOnly refuses every request that is not for 127.0.0.1.
type loopbackOnly struct{}

func (loopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Hostname(); h != "127.0.0.1" {
		return nil, fmt.Errorf("test refused a request to %s: tests only talk to 127.0.0.1", h)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestPackage_MembersHaveTypes: every member of the package has a type, if
// only Invalid. Flux v0.67 calls Type().Nature() on each member when it
// inlines the package into a function passed to map(); a nil Type (what
// table functions' values give for a polymorphic signature) panicked there.
func TestPackage_MembersHaveTypes(t *testing.T) {
	p, ok := flux.StdLib().ImportPackageObject("pagerduty")
	if !ok {
		t.Fatal("no package pagerduty")
	}
	p.Range(func(name string, v values.Value) {
		if v == nil || v.Type() == nil {
			t.Errorf("pagerduty.%s has no type", name)
		}
	})
}
