package emulator_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// inboxPage renders the inbox page with the given query string (such as
// "?state=open") straight from the handler.
func inboxPage(t *testing.T, e *emulator.Emulator, query string) (int, string) {
	t.Helper()
	rec := httptestRecorder(e, http.MethodGet, "/"+query, "")
	return rec.Code, rec.Body.String()
}

// send posts events straight to the handler, failing t on anything other
// than the status PagerDuty would answer.
func send(t *testing.T, e *emulator.Emulator, path string, events ...string) {
	t.Helper()
	for _, ev := range events {
		rec := httptestRecorder(e, http.MethodPost, path, ev)
		if rec.Code != http.StatusAccepted && rec.Code != http.StatusBadRequest {
			t.Fatalf("POST %s: status %d: %s", path, rec.Code, rec.Body)
		}
	}
}

// dedupKeysShown lists the dedup keys of the alert cards on a page, in
// order.
func dedupKeysShown(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-dedup-key="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func mustContain(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(page, want) {
			t.Errorf("%s lacks %q", what, want)
		}
	}
}

func mustNotContain(t *testing.T, what, page string, bads ...string) {
	t.Helper()
	for _, bad := range bads {
		if strings.Contains(page, bad) {
			t.Errorf("%s contains %q", what, bad)
		}
	}
}

// TestInbox_TrueCounts checks that a heading gives the number of alerts
// held, not the number shown, and says when the list is cut.
func TestInbox_TrueCounts(t *testing.T) {
	e := emulator.New(emulator.Options{})
	for i := range 1500 {
		k := fmt.Sprintf("db%04d", i)
		send(t, e, emulator.EventsPath, trigger(set("dedup_key", k)), resolve(key, k))
	}
	send(t, e, emulator.EventsPath, trigger(set("dedup_key", "still-open")))
	for _, query := range []string{"", "?state=resolved"} {
		_, page := inboxPage(t, e, query)
		mustContain(t, "page "+query, page, "Resolved alerts (1500)", "showing newest 50 of 1500")
		keys := dedupKeysShown(page)
		resolved := keys[min(len(keys), 1):]
		if query != "" {
			resolved = keys
		}
		if len(resolved) != 50 || resolved[0] != "db1499" || resolved[49] != "db1450" {
			t.Errorf("page %q shows resolved alerts %v, want the newest 50: db1499 to db1450", query, resolved)
		}
	}
	_, page := inboxPage(t, e, "")
	mustContain(t, "page", page, "Open alerts (1)", "3001 events received (3001 accepted)")
	mustNotContain(t, "page", page, "showing newest 1 of 1", "showing first")
}

// TestInbox_Filter checks the state and text filters: each shows only the
// matching alerts and events, under the true count.
func TestInbox_Filter(t *testing.T) {
	e := emulator.New(emulator.Options{})
	send(t, e, emulator.EventsPath,
		trigger(set("dedup_key", "db01/cpu"), set("payload.source", "db01.example.com")),
		trigger(set("dedup_key", "web01/http"), set("payload.source", "web01.example.com")),
		ack(key, "web01/http"),
		trigger(set("dedup_key", "db02/disk"), set("payload.source", "DB02.example.com")),
		resolve(key, "db02/disk"),
		trigger(set("dedup_key", "bad-one"), del("payload.source")),
	)
	send(t, e, emulator.ChangePath, change(set("payload.source", "ci-db.example.com")))
	tests := []struct {
		query    string
		wantKeys []string // alert cards, in order
		want     []string
		notWant  []string
	}{
		{"", []string{"db01/cpu", "web01/http", "db02/disk"},
			[]string{"Open alerts (2)", "Resolved alerts (1)", "Rejected events (1)", "Change events (1)", `<option value="" selected>all</option>`},
			nil},
		{"?state=open", []string{"db01/cpu", "web01/http"}, []string{"Open alerts (2)"}, []string{"Resolved alerts", "Rejected events", "Change events"}},
		{"?state=triggered", []string{"db01/cpu"}, []string{"Triggered alerts (1)", `<option value="triggered" selected>`}, []string{"Open alerts", "Rejected events"}},
		{"?state=acknowledged", []string{"web01/http"}, []string{"Acknowledged alerts (1)"}, []string{"Open alerts", "Resolved alerts"}},
		{"?state=resolved", []string{"db02/disk"}, []string{"Resolved alerts (1)"}, []string{"Open alerts", "Change events"}},
		{"?state=rejected", nil, []string{"Rejected events (1)", "dedup key <code>bad-one</code>"}, []string{"Open alerts", "Change events"}},
		{"?state=change", nil, []string{"Change events (1)", "Build 42 deployed"}, []string{"Open alerts", "Rejected events"}},
		// q matches part of a dedup key or a source, in any case.
		{"?q=db0", []string{"db01/cpu", "db02/disk"}, []string{"Open alerts (1)", "Resolved alerts (1)", "Rejected events (0)", "Change events (0)", `value="db0"`}, nil},
		{"?q=WEB01.example", []string{"web01/http"}, []string{"Open alerts (1)", "Resolved alerts (0)"}, nil},
		{"?q=ci-db&state=change", nil, []string{"Change events (1)"}, nil},
		{"?q=nothing-matches", nil, []string{"Open alerts (0)", "No open alerts.", "No resolved alerts."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, page := inboxPage(t, e, tt.query)
			if status != http.StatusOK {
				t.Errorf("status %d, want 200", status)
			}
			if got := dedupKeysShown(page); strings.Join(got, " ") != strings.Join(tt.wantKeys, " ") {
				t.Errorf("alerts shown %q, want %q", got, tt.wantKeys)
			}
			mustContain(t, "page", page, tt.want...)
			mustNotContain(t, "page", page, tt.notWant...)
		})
	}
}

// TestInbox_BadQuery checks that a query the page cannot use is answered
// 400 with the reason, showing everything meanwhile.
func TestInbox_BadQuery(t *testing.T) {
	e := emulator.New(emulator.Options{})
	send(t, e, emulator.EventsPath, trigger())
	for _, tt := range []struct{ query, want string }{
		{"?state=<b>closed</b>", `state must be one of open, triggered, acknowledged, resolved, rejected, change, or empty for all; got &#34;&lt;b&gt;closed&lt;/b&gt;&#34;`},
		{"?refresh=0", "refresh must be a number of seconds from 1 to 3600; got &#34;0&#34;"},
		{"?refresh=soon", "refresh must be a number of seconds from 1 to 3600; got &#34;soon&#34;"},
	} {
		status, page := inboxPage(t, e, tt.query)
		if status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tt.query, status)
		}
		mustContain(t, tt.query, page, `<p class="problem">`+tt.want+`</p>`, "Open alerts (1)")
		mustNotContain(t, tt.query, page, "<b>closed", `http-equiv="refresh"`)
	}
}

// TestInbox_Refresh checks that the page does not reload itself unless
// asked, and that Refresh and the auto-refresh switch keep the filter.
func TestInbox_Refresh(t *testing.T) {
	e := emulator.New(emulator.Options{})
	_, page := inboxPage(t, e, "?state=open&q=db01")
	mustNotContain(t, "default page", page, `http-equiv="refresh"`)
	mustContain(t, "default page", page,
		`<a id="refresh" href="?q=db01&amp;state=open">Refresh</a>`,
		`<a id="autorefresh" href="?q=db01&amp;refresh=5&amp;state=open">reload every 5 s</a>`)

	_, page = inboxPage(t, e, "?state=open&q=db01&refresh=30")
	mustContain(t, "auto-refreshing page", page,
		`<meta http-equiv="refresh" content="30">`,
		`<a id="refresh" href="?q=db01&amp;refresh=30&amp;state=open">Refresh</a>`,
		`<a id="autorefresh" href="?q=db01&amp;state=open">stop</a>`,
		`<input type="hidden" name="refresh" value="30">`)
}

// TestInbox_Headers checks that the page forbids itself scripts and
// images, so that a payload that got past escaping still could not run.
func TestInbox_Headers(t *testing.T) {
	rec := httptestRecorder(emulator.New(emulator.Options{}), http.MethodGet, "/", "")
	for name, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if got := rec.Header().Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
