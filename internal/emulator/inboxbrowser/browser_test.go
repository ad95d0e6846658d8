package inboxbrowser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// routingKey is a placeholder key, easy to spot if leaked.
const routingKey = "k3yA0123456789abcdefghijklmnopQZ"

// browsers are the names Chromium goes by, the Debian package's first.
// $FLUXPD_CHROMIUM, when set, is the only one tried.
var browsers = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "headless-shell"}

// howToInstall is what a missing browser's message says.
const howToInstall = "on Debian: apt-get update && apt-get install -y chromium (or set FLUXPD_CHROMIUM to its path)"

// whenMissing decides what a missing browser means: a failure in CI
// (CI=true) and wherever FLUXPD_REQUIRE_BROWSER=1 (.ci/run sets it), so
// that CI never passes by skipping this test; a skip elsewhere. msg says
// why and how to install Chromium.
func whenMissing(getenv func(string) string, looked []string) (fail bool, msg string) {
	msg = fmt.Sprintf("Chromium not found (looked for %s); %s", strings.Join(looked, ", "), howToInstall)
	if getenv("CI") == "true" || getenv("FLUXPD_REQUIRE_BROWSER") == "1" {
		return true, msg + ". This test is required here (CI=true or FLUXPD_REQUIRE_BROWSER=1)"
	}
	return false, msg + ". Skipped; set FLUXPD_REQUIRE_BROWSER=1 to make a missing browser a failure"
}

// findBrowser returns the path of Chromium, or fails or skips t as
// whenMissing decides.
func findBrowser(t *testing.T) string {
	t.Helper()
	names := browsers
	if p := os.Getenv("FLUXPD_CHROMIUM"); p != "" {
		names = []string{p}
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	fail, msg := whenMissing(os.Getenv, names)
	if fail {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and returns a
// tab's context, bounded by testwait.Limit. The flags keep Chromium from contacting anything on its own
// (updates, sync, safe browsing, QUIC probes), and the host resolver rule
// makes every name but 127.0.0.1 unresolvable, so the test only ever
// talks to 127.0.0.1.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findBrowser(t)
	profile := freshProfile(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1200, 900),
	}
	for _, f := range []string{"disable-quic", "disable-background-networking", "disable-component-update", "disable-sync",
		"disable-default-apps", "disable-extensions", "disable-domain-reliability", "disable-client-side-phishing-detection",
		"metrics-recording-only", "safebrowsing-disable-auto-update", "disable-dev-shm-usage", "disable-breakpad"} {
		opts = append(opts, chromedp.Flag(f, true))
	}
	opts = append(opts, chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"))
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf), chromedp.WithErrorf(browserErrorf(t)))
	t.Cleanup(cancelTab)
	if err := chromedp.Run(ctx); err != nil { // starts the browser
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// freshProfile returns a new, empty directory for Chromium's profile and
// removes it when the test ends. Chromium's helper processes may still be
// writing to it for a moment after the browser is closed, which makes
// t.TempDir's one attempt fail ("directory not empty"): the removal is
// tried until it succeeds, bounded by testwait.Limit.
func freshProfile(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "fluxpd-chromium-profile-")
	if err != nil {
		t.Fatalf("creating Chromium's profile directory: %v", err)
	}
	t.Cleanup(func() {
		testwait.Until(t, "Chromium's profile directory "+dir+" to be removed", func() (bool, string) {
			err := os.RemoveAll(dir)
			return err == nil, fmt.Sprint(err)
		})
	})
	return dir
}

// browserErrorf logs chromedp's errors but one known to be harmless:
// cdproto is pinned at the version whose chromedp (v0.13) keeps
// golang.org/x/sys where the nested InfluxDB modules pin it, and it
// predates Chromium's "Loopback" IP address space, so chromedp drops a few
// network events it cannot decode. This test reads none of them.
func browserErrorf(t *testing.T) func(string, ...any) {
	return func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if strings.Contains(msg, "could not unmarshal event") && strings.Contains(msg, "IPAddressSpace") {
			return
		}
		t.Logf("chromedp: %s", msg)
	}
}

// loadedJS lists the URLs the page loaded: itself and any resource.
const loadedJS = `performance.getEntries().filter(e => e.entryType === 'navigation' || e.entryType === 'resource').map(e => e.name)`

// checkLoaded fails t if the page loaded anything from elsewhere than base.
func checkLoaded(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	var urls []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(loadedJS, &urls)); err != nil {
		t.Fatalf("listing what the page loaded: %v", err)
	}
	if len(urls) == 0 {
		t.Errorf("the page lists nothing loaded, not even itself")
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("the page loaded %s; the test may only contact %s", u, base)
		}
	}
}

func post(t *testing.T, url string, event map[string]any) {
	t.Helper()
	event["routing_key"] = routingKey
	b, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(url, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST %s: status %d, want 202", url, res.StatusCode)
	}
}

// hostileSummary would set window.pwned if the page ran it.
const hostileSummary = `<script>window.pwned=1</script> HTTP 500s`

// sendEvents gives the emulator an open alert with every field, an
// acknowledged one whose summary is a script, and a resolved one.
func sendEvents(t *testing.T, s *emulator.Server) {
	post(t, s.EventsURL(), map[string]any{
		"event_action": "trigger", "dedup_key": "db01/cpu",
		"client": "telegraf", "client_url": "https://monitoring.example.com/",
		"payload": map[string]any{
			"summary": "CPU load 9.75 on db01", "source": "db01.example.com", "severity": "critical",
			"component": "cpu", "group": "databases", "class": "cpu load",
			"custom_details": map[string]any{
				"load avg": 9.75, "tags": []any{"prod", "db"},
				"disk": map[string]any{"free": "3%", "mounts": []any{"/", "/var"}},
			},
		},
		"links": []any{
			map[string]any{"href": "https://runbooks.example.com/cpu", "text": "Runbook"},
			map[string]any{"href": "javascript:window.pwned=2", "text": "evil link"},
		},
		"images": []any{map[string]any{"src": "https://grafana.example.com/cpu.png", "alt": "CPU graph"}},
	})
	post(t, s.EventsURL(), map[string]any{"event_action": "trigger", "dedup_key": "web01/http",
		"payload": map[string]any{"summary": hostileSummary, "source": "web01.example.com", "severity": "warning"}})
	post(t, s.EventsURL(), map[string]any{"event_action": "acknowledge", "dedup_key": "web01/http"})
	post(t, s.EventsURL(), map[string]any{"event_action": "trigger", "dedup_key": "db02/disk",
		"payload": map[string]any{"summary": "Disk 95% on db02", "source": "db02.example.com", "severity": "error"}})
	post(t, s.EventsURL(), map[string]any{"event_action": "resolve", "dedup_key": "db02/disk"})
}

// link is an <a> as the page shows it.
type link struct {
	Href, Rel, Target, Text string
}

const linksJS = `[...document.querySelectorAll('a')].map(a => ({Href: a.getAttribute('href'), Rel: a.rel, Target: a.target, Text: a.textContent}))`

// card selects the card of the alert with the given dedup key.
func card(dedupKey string) string { return `div.alert[data-dedup-key="` + dedupKey + `"]` }

// TestInbox_Browser loads the inbox page in Chromium and checks what a
// person sees: the custom details tree, safe links, images as links, a
// script summary shown as text and never run, the filter, and Refresh.
func TestInbox_Browser(t *testing.T) {
	s := emulatortest.New(t)
	sendEvents(t, s)
	ctx := newBrowser(t)

	var tree, summary, pwned, evilTag string
	var links []link
	var images, scripts int
	if err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL()+"/"),
		chromedp.WaitVisible(card("db01/cpu")+` dd.custom`, chromedp.ByQuery),
		chromedp.Text(card("db01/cpu")+` dd.custom`, &tree, chromedp.ByQuery),
		chromedp.Text(card("web01/http")+` span.summary`, &summary, chromedp.ByQuery),
		chromedp.Evaluate(linksJS, &links),
		chromedp.Evaluate(`document.querySelectorAll('img').length`, &images),
		chromedp.Evaluate(`document.scripts.length`, &scripts),
		chromedp.Evaluate(`typeof window.pwned`, &pwned),
		chromedp.Evaluate(`[...document.querySelectorAll('.nolink')].find(e => e.textContent === 'evil link').parentElement.tagName`, &evilTag),
	); err != nil {
		t.Fatalf("loading the inbox page: %v", err)
	}
	screenshot(t, ctx)

	wantTree := []string{"disk:", "free: 3%", "mounts:", "/", "/var", "load avg: 9.75", "tags:", "prod", "db"}
	if diff := cmp.Diff(wantTree, lines(tree)); diff != "" {
		t.Errorf("custom details as seen (-want +got):\n%s", diff)
	}
	if summary != hostileSummary {
		t.Errorf("the script summary shows as %q, want the text %q", summary, hostileSummary)
	}
	if pwned != "undefined" || scripts != 0 {
		t.Errorf("window.pwned is %s and the page has %d scripts; want undefined and 0 (nothing sent may run)", pwned, scripts)
	}
	if images != 0 {
		t.Errorf("the page has %d <img>, want 0: images are links, never loaded", images)
	}
	for _, want := range []link{
		{"https://runbooks.example.com/cpu", "noopener noreferrer", "_blank", "Runbook"},
		{"https://grafana.example.com/cpu.png", "noopener noreferrer", "_blank", "https://grafana.example.com/cpu.png"},
		{"https://monitoring.example.com/", "noopener noreferrer", "_blank", "https://monitoring.example.com/"},
	} {
		if !slices.Contains(links, want) {
			t.Errorf("no link %+v among %+v", want, links)
		}
	}
	for _, l := range links {
		if !strings.HasPrefix(l.Href, "?") && !strings.HasPrefix(l.Href, "https://") {
			t.Errorf("link %+v: only the page's own and http(s) links may be links", l)
		}
	}
	if evilTag != "LI" {
		t.Errorf(`the javascript: link's text sits in a %s, want plain text in its list item`, evilTag)
	}

	checkLoaded(t, ctx, s.URL())
	checkFilter(t, ctx)
	checkLoaded(t, ctx, s.URL())
}

// checkFilter submits the state filter as a person would, then Refresh,
// and checks that only resolved alerts show and that the filter stays in
// the URL.
func checkFilter(t *testing.T, ctx context.Context) {
	t.Helper()
	var statuses, keys []string
	var heading, search, afterRefresh string
	if err := chromedp.Run(ctx,
		chromedp.SetValue(`#state`, "resolved", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID),
		chromedp.WaitVisible(`section.alerts h2`, chromedp.ByQuery),
		chromedp.WaitReady(`#state option[value="resolved"][selected]`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('div.alert')].map(d => d.dataset.status)`, &statuses),
		chromedp.Evaluate(`[...document.querySelectorAll('div.alert')].map(d => d.dataset.dedupKey)`, &keys),
		chromedp.Text(`section.alerts h2`, &heading, chromedp.ByQuery),
		chromedp.Evaluate(`location.search`, &search),
	); err != nil {
		t.Fatalf("filtering by state: %v", err)
	}
	if diff := cmp.Diff([]string{"resolved"}, statuses); diff != "" {
		t.Errorf("statuses shown after filtering by resolved (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"db02/disk"}, keys); diff != "" {
		t.Errorf("alerts shown after filtering by resolved (-want +got):\n%s", diff)
	}
	if heading != "Resolved alerts (1)" {
		t.Errorf("heading %q, want %q", heading, "Resolved alerts (1)")
	}
	if !strings.Contains(search, "state=resolved") {
		t.Errorf("the URL's query is %q, want the filter in it so that it can be shared", search)
	}
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`document.body.dataset.before = 'refresh'`, nil),
		chromedp.Click(`#refresh`, chromedp.ByID),
		chromedp.WaitReady(`body:not([data-before])`, chromedp.ByQuery),
		chromedp.WaitReady(`#state option[value="resolved"][selected]`, chromedp.ByQuery),
		chromedp.Evaluate(`location.search`, &afterRefresh),
	); err != nil {
		t.Fatalf("refreshing: %v", err)
	}
	if !strings.Contains(afterRefresh, "state=resolved") {
		t.Errorf("after Refresh the query is %q, want the filter kept", afterRefresh)
	}
}

// lines returns the non-blank lines of a text, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// screenshot saves the page to $FLUXPD_INBOX_SCREENSHOT, if set, for
// people to look at.
func screenshot(t *testing.T, ctx context.Context) {
	path := os.Getenv("FLUXPD_INBOX_SCREENSHOT")
	if path == "" {
		return
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
	}
}

func TestWhenMissing(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantFail bool
	}{
		{"nothing set", nil, false},
		{"CI=true", map[string]string{"CI": "true"}, true},
		{"CI=false", map[string]string{"CI": "false"}, false},
		{"FLUXPD_REQUIRE_BROWSER=1", map[string]string{"FLUXPD_REQUIRE_BROWSER": "1"}, true},
		{"FLUXPD_REQUIRE_BROWSER=0", map[string]string{"FLUXPD_REQUIRE_BROWSER": "0"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fail, msg := whenMissing(func(k string) string { return tt.env[k] }, []string{"/usr/bin/chromium"})
			if fail != tt.wantFail {
				t.Errorf("fail = %v, want %v", fail, tt.wantFail)
			}
			if !strings.Contains(msg, "apt-get install -y chromium") || !strings.Contains(msg, "/usr/bin/chromium") {
				t.Errorf("message %q does not say where it looked and how to install Chromium", msg)
			}
		})
	}
}
