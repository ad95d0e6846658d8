package harness

import (
	"fmt"
	"strconv"
	"strings"
)

// The Flux scripts run the same text on both runtimes, except that only
// fluxpd's endpoint takes a concurrency. Every URL is passed explicitly:
// upstream's pagerduty, on Flux v0.65.1, does not apply an
// `option pagerduty.defaultURL = ...` override to sendEvent inside map()
// (fluxpd does).

// scriptHeader declares what every script uses. data is the CSV text.
func scriptHeader(url, data string) string {
	return "import \"csv\"\nimport \"pagerduty\"\n\n" +
		"url = " + fluxString(url) + "\n" +
		"routingKey = " + fluxString(RoutingKey) + "\n" +
		"data = " + fluxString(data) + "\n\n"
}

// eventFields are the fields of one event, shared by sendEvent's
// arguments and endpoint's mapFn record. dedupKey and pagerdutyURL are
// added where they apply.
var eventFields = fmt.Sprintf(`routingKey: routingKey,
        client: %q,
        clientURL: %q,
        class: %q,
        group: %q,
        severity: pagerduty.severityFromLevel(level: r._level),
        eventAction: pagerduty.actionFromLevel(level: r._level),
        component: %q,
        source: r.host,
        summary: r._message,
        timestamp: r._time,`, eventClient, eventClientURL, eventClass, eventGroup, eventComponent)

// SendEventScript calls pagerduty.sendEvent once per row inside map() and
// keeps the returned status code in the column "status".
func SendEventScript(url, data string) string {
	return scriptHeader(url, data) + `csv.from(csv: data)
    |> map(fn: (r) => ({r with status: pagerduty.sendEvent(
        pagerdutyURL: url,
        dedupKey: r.host,
        ` + eventFields + `
    )}))
`
}

// mapFnDecl declares the mapFn that endpoint and the no-send baseline use.
const mapFnDecl = `mapFn = (r) => ({
        ` + "%s" + `
    })

`

// EndpointScript sends every row through pagerduty.endpoint. concurrency
// 0 leaves the parameter out (upstream has none; for fluxpd it means the
// default).
func EndpointScript(url, data string, concurrency int) string {
	args := "url: url"
	if concurrency > 0 {
		args += ", concurrency: " + strconv.Itoa(concurrency)
	}
	return scriptHeader(url, data) + fmt.Sprintf(mapFnDecl, eventFields) +
		"toPagerDuty = pagerduty.endpoint(" + args + ")\n\n" +
		"csv.from(csv: data)\n    |> toPagerDuty(mapFn: mapFn)()\n"
}

// NoSendScript is endpoint's pipeline without the sending: the same input,
// dedupKey(), and a map() that adds the same four output columns, _sent
// "true", _status "202" and _body holding the very answer the receiver
// gives for the row, so that the output tables are as large as endpoint's.
// It is the baseline of the memory target: what endpoint holds beyond it
// is the cost of evaluating mapFn and sending.
func NoSendScript(data string) string {
	return scriptHeader("http://127.0.0.1:1/unused", data) + `csv.from(csv: data)
    |> pagerduty.dedupKey()
    |> map(fn: (r) => ({r with
        _sent: "true",
        _status: "202",
        _body: "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + r._pagerdutyDedupKey + "\"}",
    }))
`
}

// MapConstScript is SendEventScript without the call: map() adds a
// constant status column. It measures what Flux's map() itself costs per
// row, which any sendEvent called inside map() pays on top of the send.
func MapConstScript(data string) string {
	return scriptHeader("http://127.0.0.1:1/unused", data) + `csv.from(csv: data)
    |> map(fn: (r) => ({r with status: 202}))
`
}

// fluxString quotes s as a Flux string literal. The benchmark's data never
// needs escapes; anything that would is a bug in the generator.
func fluxString(s string) string {
	if strings.ContainsAny(s, "\"\\") || strings.Contains(s, "${") {
		panic(fmt.Sprintf("harness: %.40q... needs escaping in a Flux string", s))
	}
	return `"` + s + `"`
}
