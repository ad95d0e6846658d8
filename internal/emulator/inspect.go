package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The inspection and scripting API, under InspectPrefix. Answers are JSON
// with routing keys masked:
//
//	GET             /_emulator/requests  received requests with verdicts, errors, reasons and whole bodies
//	                ?raw=1               each body as received instead, routing keys masked (see rawbody.go)
//	GET             /_emulator/alerts    alerts with their history (each event's request and body), in creation order
//	GET             /_emulator/summary   the WriteSummary text
//	POST            /_emulator/reset     forget everything (Reset)
//	GET             /_emulator/faults    queued faults and refused routing keys (masked)
//	POST            /_emulator/faults    append a JSON array of faults (or one fault) to the queue;
//	                                     an element {"refuse_routing_key":"<key>"} refuses that key (see refuse.go)
//	DELETE          /_emulator/faults    empty the fault queue and forget the refused keys
//	GET             /_emulator/latency   {"latency":"5ms"}
//	PUT, POST       /_emulator/latency   set the latency from {"latency":"5ms"}
//	GET             /_emulator/outage    the outage, if any (see outage.go)
//	PUT, POST       /_emulator/outage    start one from {"for":"30s","drop":false,"status":503}
//	DELETE          /_emulator/outage    end it
const maxScriptBody = 1 << 20

type inspectRoute struct {
	methods []string
	serve   func(e *Emulator, w http.ResponseWriter, r *http.Request)
}

var inspectRoutes = map[string]inspectRoute{
	"requests": {[]string{http.MethodGet, http.MethodHead}, (*Emulator).serveRequests},
	"alerts":   {[]string{http.MethodGet, http.MethodHead}, (*Emulator).serveAlerts},
	"summary":  {[]string{http.MethodGet, http.MethodHead}, (*Emulator).serveSummary},
	"reset":    {[]string{http.MethodPost}, (*Emulator).serveReset},
	"faults":   {[]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodDelete}, (*Emulator).serveFaults},
	"latency":  {[]string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost}, (*Emulator).serveLatency},
	"outage":   {[]string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete}, (*Emulator).serveOutage},
}

// serveInspect dispatches a request under InspectPrefix.
func (e *Emulator) serveInspect(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, InspectPrefix), "/")
	route, ok := inspectRoutes[name]
	if !ok {
		names := make([]string, 0, len(inspectRoutes))
		for n := range inspectRoutes {
			names = append(names, InspectPrefix+n)
		}
		slices.Sort(names)
		writeError(w, http.StatusNotFound, "unknown emulator endpoint; valid endpoints are: "+strings.Join(names, ", "))
		return
	}
	if !slices.Contains(route.methods, r.Method) {
		w.Header().Set("Allow", strings.Join(route.methods, ", "))
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed here; use %s", safeMethod(r.Method), strings.Join(route.methods, " or ")))
		return
	}
	route.serve(e, w, r)
}

func (e *Emulator) serveRequests(w http.ResponseWriter, r *http.Request) {
	raw, err := rawParam(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	reqs := e.Requests()
	if raw {
		writePretty(w, http.StatusOK, rawRequests(reqs)) // see rawbody_serve.go
		return
	}
	out := make([]requestView, len(reqs))
	for i, r := range reqs {
		out[i] = viewRequest(r).withBody(r)
	}
	writePretty(w, http.StatusOK, out)
}

func (e *Emulator) serveAlerts(w http.ResponseWriter, _ *http.Request) {
	alerts := e.alertRecords()
	out := make([]alertView, len(alerts))
	for i, a := range alerts {
		out[i] = viewAlert(a.Alert).withBodies(a)
	}
	writePretty(w, http.StatusOK, out)
}

func (e *Emulator) serveSummary(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_ = e.WriteSummary(w)
}

func (e *Emulator) serveReset(w http.ResponseWriter, _ *http.Request) {
	e.Reset()
	writePretty(w, http.StatusOK, map[string]string{"status": "reset"})
}

func (e *Emulator) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, maxScriptBody))
		if err != nil {
			writeError(w, http.StatusBadRequest, "cannot read the body: "+err.Error())
			return
		}
		faults, refused, err := parseFaultScript(body) // see refuse.go
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		e.Inject(faults...)
		e.RefuseKey(refused...)
	case http.MethodDelete:
		e.ClearFaults()
	}
	faults := e.Faults()
	if faults == nil {
		faults = []Fault{}
	}
	writePretty(w, http.StatusOK, map[string]any{"queued": faults, "refused_routing_keys": e.maskedRefusedKeys()})
}

// latencyBody is the JSON of /_emulator/latency.
type latencyBody struct {
	Latency string `json:"latency"`
}

func (e *Emulator) serveLatency(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		var body latencyBody
		dec := json.NewDecoder(io.LimitReader(r.Body, maxScriptBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, `body must be {"latency":"<duration>"}: `+err.Error())
			return
		}
		d, err := time.ParseDuration(body.Latency)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("latency must be a non-negative Go duration such as 250ms, was %q", body.Latency))
			return
		}
		e.SetLatency(d)
	}
	writePretty(w, http.StatusOK, latencyBody{e.Latency().String()})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writePretty(w, status, errorBody{Status: "error", Message: msg})
}

// writePretty answers with v as indented JSON, for people using curl.
func writePretty(w http.ResponseWriter, status int, v any) {
	writeEncoded(w, status, v, func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") })
}
