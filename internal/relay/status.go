package relay

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"time"

	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// maxStatusItems caps each list on the status page; the page gives the
// true counts and says when a list is cut.
const maxStatusItems = 50

//go:embed status.html
var statusHTML string

// statusTemplate renders the status page. html/template escapes every
// value by context, so a summary or dedup key holding markup shows as text.
var statusTemplate = template.Must(template.New("status").Funcs(template.FuncMap{
	"ts":  func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") },
	"dur": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(statusHTML))

// statusCSP forbids the page every script, image, frame and plugin: it
// needs none, and a payload that got past escaping could run nothing.
const statusCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// statusData is what the status page shows; all of it is masked.
type statusData struct {
	Now              time.Time
	Upstream, Outbox string
	Rate             string
	Ready            string // "" when ready, else why not
	Pending, Dead    int
	Oldest           time.Duration
	Alerts           []alertRow
	AlertsCut        int
	Recent           []sent
	DeadLetters      []deadRow
	DeadCut          int
	RateUse          []rateRow
	Paced            []pacedRow
	Problem          string // the outbox could not be read
	MaxPending       int
}

// alertRow is one (routing key, dedup key) with events pending.
type alertRow struct {
	RoutingKey, DedupKey string
	Action, Summary      string // of its first event
	Events               int
	Head                 outbox.Entry // its first pending event
	Waited               time.Duration
}

type deadRow struct {
	outbox.Entry
	MaskedKey string
	Reason    string
}

type rateRow struct {
	RoutingKey string
	Sent       int
	Full       bool
	Until      time.Time
}

type pacedRow struct {
	RoutingKey string
	Until      time.Time
	Refusals   int
}

// serveStatus answers GET /: the relay's state, in the emulator inbox's
// style.
func (s *Server) serveStatus(w http.ResponseWriter, _ *http.Request) {
	d := s.statusData()
	var buf bytes.Buffer
	if err := statusTemplate.Execute(&buf, d); err != nil {
		http.Error(w, "the status page failed to render", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", statusCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) statusData() statusData {
	now := s.opts.Now()
	d := statusData{Now: now, Upstream: redact.URL(s.opts.Upstream), Outbox: s.opts.OutboxPath, Rate: s.opts.Rate, Ready: s.notReady(), Recent: s.flusher.sender.recent.list(), MaxPending: s.opts.MaxPending}
	pending, err := s.ob.List()
	if err != nil {
		d.Problem = err.Error()
		return d
	}
	dead, err := s.ob.DeadLetters()
	if err != nil {
		d.Problem = err.Error()
	}
	d.Pending, d.Dead = len(pending), len(dead)
	d.Alerts, d.AlertsCut = alertRows(pending, now)
	if len(d.Alerts) > 0 {
		d.Oldest = d.Alerts[0].Waited
	}
	d.DeadLetters, d.DeadCut = deadRows(dead)
	d.RateUse, d.Paced = s.rateRows(now)
	return d
}

// alertRows groups pending events by alert, the longest waiting first.
func alertRows(pending []outbox.Entry, now time.Time) ([]alertRow, int) {
	byGroup := map[uint64]*alertRow{}
	var rows []*alertRow
	for _, e := range pending {
		head := e.ID
		if e.Behind != 0 {
			head = e.Behind
		}
		if r := byGroup[head]; r != nil {
			r.Events++
			continue
		}
		r := &alertRow{RoutingKey: redact.Key(e.RoutingKey), DedupKey: e.DedupKey, Events: 1, Head: e, Waited: now.Sub(e.Created)}
		r.Action, r.Summary = describeBody(e.Body, e.RoutingKey)
		r.Head.LastReason = redact.String(e.LastReason, e.RoutingKey)
		r.Head.RoutingKey, r.Head.Body = "", nil
		byGroup[head] = r
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Waited > rows[j].Waited })
	out := make([]alertRow, 0, min(len(rows), maxStatusItems))
	for _, r := range rows[:min(len(rows), maxStatusItems)] {
		out = append(out, *r)
	}
	return out, len(rows) - len(out)
}

// deadRows lists the newest dead letters first.
func deadRows(dead []outbox.Entry) ([]deadRow, int) {
	var out []deadRow
	for i := len(dead) - 1; i >= 0 && len(out) < maxStatusItems; i-- {
		e := dead[i]
		row := deadRow{Entry: e, MaskedKey: redact.Key(e.RoutingKey), Reason: redact.String(e.LastReason, e.RoutingKey)}
		row.Entry.RoutingKey, row.Entry.Body, row.Entry.LastReason = "", nil, ""
		out = append(out, row)
	}
	return out, len(dead) - len(out)
}

// rateRows gives each routing key's use of --rate and the keys paced after
// upstream refused them.
func (s *Server) rateRows(now time.Time) ([]rateRow, []pacedRow) {
	var use []rateRow
	if s.limit != nil {
		for i, u := range s.limit.Use(now) {
			if i == maxStatusItems {
				break
			}
			use = append(use, rateRow{RoutingKey: redact.Key(u.RoutingKey), Sent: u.Sent, Full: u.Full, Until: u.Until})
		}
	}
	var paced []pacedRow
	for i, p := range s.ob.Paced(now) {
		if i == maxStatusItems {
			break
		}
		paced = append(paced, pacedRow{RoutingKey: redact.Key(p.RoutingKey), Until: p.Until, Refusals: p.Refusals})
	}
	return use, paced
}

// describeBody returns the action and summary of a stored body, masked.
func describeBody(body []byte, routingKey string) (action, summary string) {
	var ev struct {
		EventAction string `json:"event_action"`
		Payload     struct {
			Summary string `json:"summary"`
		} `json:"payload"`
	}
	_ = json.Unmarshal(body, &ev) // validated when accepted
	action = ev.EventAction
	if action == "" {
		action = "change"
	}
	return action, redact.String(ev.Payload.Summary, routingKey)
}
