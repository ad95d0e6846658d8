package emulator

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"slices"
	"time"
)

// maxInboxRejected and maxInboxResolved cap the lists on the inbox page.
const (
	maxInboxRejected = 20
	maxInboxResolved = 50
)

//go:embed inbox.html
var inboxHTML string

// inboxTemplate renders the inbox page. html/template escapes every value,
// so a summary holding markup shows as text.
var inboxTemplate = template.Must(template.New("inbox").Funcs(template.FuncMap{
	"ts": func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") },
}).Parse(inboxHTML))

// inboxData is what the inbox page shows. All of it is masked.
type inboxData struct {
	Open      []alertView // triggered, then acknowledged; newest first
	Resolved  []alertView // newest first
	Rejected  []requestView
	Received  int
	Counts    string
	Latency   time.Duration
	Faults    int
	RateLimit int
	Now       time.Time
}

// serveInbox serves the HTML inbox page at /.
func (e *Emulator) serveInbox(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "the inbox page only answers GET")
		return
	}
	var b bytes.Buffer
	if err := inboxTemplate.Execute(&b, e.inboxData()); err != nil {
		writeError(w, http.StatusInternalServerError, "cannot render the inbox page")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

func (e *Emulator) inboxData() inboxData {
	reqs := e.Requests()
	d := inboxData{
		Received:  len(reqs),
		Counts:    countVerdicts(reqs),
		Latency:   e.Latency(),
		Faults:    len(e.Faults()),
		RateLimit: e.opts.RateLimit,
		Now:       e.now(),
	}
	for _, a := range e.Alerts() {
		if a.open() {
			d.Open = append(d.Open, viewAlert(a))
		} else {
			d.Resolved = append(d.Resolved, viewAlert(a))
		}
	}
	slices.SortStableFunc(d.Open, func(a, b alertView) int {
		if (a.Status == StatusTriggered) != (b.Status == StatusTriggered) {
			if a.Status == StatusTriggered {
				return -1
			}
			return 1
		}
		return b.Updated.Compare(a.Updated)
	})
	slices.SortStableFunc(d.Resolved, func(a, b alertView) int { return b.Updated.Compare(a.Updated) })
	d.Resolved = d.Resolved[:min(len(d.Resolved), maxInboxResolved)]
	for i := len(reqs) - 1; i >= 0 && len(d.Rejected) < maxInboxRejected; i-- {
		if reqs[i].Verdict == VerdictRejected {
			d.Rejected = append(d.Rejected, viewRequest(reqs[i]))
		}
	}
	return d
}
