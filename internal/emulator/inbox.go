package emulator

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"time"
)

// maxInboxItems caps each list on the inbox page and maxInboxHistory the
// events shown per alert; the page gives the true counts and says when a
// list is cut. The JSON views are never cut.
const (
	maxInboxItems   = 50
	maxInboxHistory = 20
)

//go:embed inbox.html
var inboxHTML string

// inboxTemplate renders the inbox page. html/template escapes every value
// by context, so a summary holding markup shows as text; links are <a>
// only when linkView.Link says the URL is http or https.
var inboxTemplate = template.Must(template.New("inbox").Funcs(template.FuncMap{
	"ts": func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") },
}).Parse(inboxHTML))

// inboxCSP forbids the page every script, image, frame and plugin: it
// needs none, and a payload that got past escaping could run nothing.
const inboxCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// inboxData is what the inbox page shows. All of it is masked.
type inboxData struct {
	Filter    inboxFilter
	Problem   string   // why the query was not understood
	States    []option // the state filter's choices
	Self      string   // this page's query, for the Refresh link
	Toggle    string   // the query that turns auto-refresh on or off
	Alerts    []alertSection
	Rejected  *requestSection
	Changes   *requestSection
	Received  int
	Counts    string
	Latency   time.Duration
	Faults    int
	RateLimit int
	Now       time.Time
}

// option is one choice of the state filter.
type option struct {
	Value, Label string
	Selected     bool
}

// alertSection is one heading of alerts: Total is the true count matching
// the filter, Cut says when fewer are shown.
type alertSection struct {
	Title string
	Items []alertItem
	Total int
	Cut   string
	Empty string // shown when there is no alert
}

type alertItem struct {
	alertView
	Details    *detailsView // from the trigger that opened the alert
	Events     []eventItem  // the newest maxInboxHistory events, oldest first
	HistoryCut string
}

type eventItem struct {
	alertEventView
	Details *detailsView
}

// requestSection is a heading of requests (rejected events, change events).
type requestSection struct {
	Title string
	Items []requestItem
	Total int
	Cut   string
	Empty string
}

type requestItem struct {
	requestView
	Details *detailsView
	JSON    string // the masked body, indented, for rejected events
}

// serveInbox serves the HTML inbox page at /.
func (e *Emulator) serveInbox(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "the inbox page only answers GET")
		return
	}
	f, problem := parseFilter(r.URL.Query())
	var b bytes.Buffer
	if err := inboxTemplate.Execute(&b, e.inboxData(f, problem)); err != nil {
		writeError(w, http.StatusInternalServerError, "cannot render the inbox page")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", inboxCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if problem != "" {
		w.WriteHeader(http.StatusBadRequest)
	}
	_, _ = w.Write(b.Bytes())
}

func (e *Emulator) inboxData(f inboxFilter, problem string) inboxData {
	reqs := e.Requests()
	f = f.masked(routingKeys(reqs))
	d := inboxData{
		Filter: f, Problem: problem, States: stateOptions(f.State),
		Self: f.query(f.Refresh), Toggle: f.query(toggleRefresh(f.Refresh)),
		Received: len(reqs), Counts: countVerdicts(reqs),
		Latency: e.Latency(), Faults: len(e.Faults()), RateLimit: e.opts.RateLimit, Now: e.now(),
	}
	budget := maxPageNodes
	d.Alerts = alertSections(e.alertRecords(), f, &budget)
	if f.shows(stateRejected) {
		d.Rejected = requestList(reqs, f, &budget, "Rejected events", "No rejected events.",
			func(r Request) bool { return r.Verdict == VerdictRejected })
	}
	if f.shows(stateChange) {
		d.Changes = requestList(reqs, f, &budget, "Change events", "No change events.",
			func(r Request) bool { return r.Kind == KindChange })
	}
	return d
}

// requestList lists the requests keep selects that match f, newest first,
// at most maxInboxItems of them.
func requestList(reqs []Request, f inboxFilter, budget *int, title, none string, keep func(Request) bool) *requestSection {
	s := &requestSection{Title: title, Empty: none}
	for i := len(reqs) - 1; i >= 0; i-- {
		r := reqs[i]
		if !keep(r) {
			continue
		}
		v := viewRequest(r)
		if !f.matches(v.DedupKey, v.Source) {
			continue
		}
		s.Total++
		if len(s.Items) == maxInboxItems {
			continue
		}
		v = v.withBody(r)
		item := requestItem{requestView: v}
		if v.Verdict == VerdictRejected {
			if v.Body != nil {
				b, _ := json.MarshalIndent(v.Body, "", "  ") // decoded JSON always encodes
				item.JSON = cut(string(b), maxPageJSON)
			}
		} else {
			item.Details = viewDetails(v.Body, budget)
		}
		s.Items = append(s.Items, item)
	}
	s.Cut = cutNote(len(s.Items), s.Total, "newest", "requests")
	return s
}

// routingKeys returns the distinct routing keys of reqs.
func routingKeys(reqs []Request) []string {
	seen := make(map[string]bool)
	var keys []string
	for _, r := range reqs {
		if !seen[r.RoutingKey] {
			seen[r.RoutingKey] = true
			keys = append(keys, r.RoutingKey)
		}
	}
	return keys
}

// maxPageJSON caps the runes of a rejected body shown on the page.
const maxPageJSON = 20000

// cutNote says that shown of total items are listed, if that is fewer,
// and where the others are: the JSON view named by view, or the filter.
func cutNote(shown, total int, which, view string) string {
	if shown >= total {
		return ""
	}
	return "showing " + which + " " + itoa(shown) + " of " + itoa(total) +
		"; narrow the list with the filter, or see them all at " + InspectPrefix + view
}
