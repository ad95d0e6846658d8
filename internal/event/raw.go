package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Paths of the Events API v2, relative to its host.
const (
	AlertPath  = "/v2/enqueue"
	ChangePath = "/v2/change/enqueue"
)

// Raw is what ValidateRaw read of a request body: the fields a relay
// needs to store and order the event.
type Raw struct {
	// Change is set for a change event (ChangePath).
	Change bool
	// Unparseable is set when the body is not a JSON object; PagerDuty
	// answers it with its "Unrecognized object" 400.
	Unparseable bool
	// RoutingKey, EventAction and DedupKey are the body's fields, "" when
	// absent or not strings.
	RoutingKey, EventAction, DedupKey string
}

// ValidateRaw judges an Events API v2 request body as PagerDuty would,
// with the sender's rules (the same routing-key, dedup-key, link and image
// checks as Build and BuildChange) applied to the body as written: nothing
// is repaired, so an event_action or severity not in lower case, a summary
// over MaxSummaryRunes, an empty timestamp or a body over MaxBodyBytes is
// a problem here although Build would fix it. path is AlertPath or
// ChangePath. It returns the problems, one message each naming the wire
// field (routing_key, payload.summary, ...), none quoting the routing key;
// nil when PagerDuty would accept the body.
func ValidateRaw(path string, body []byte) (Raw, []string) {
	r := Raw{Change: path == ChangePath}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		r.Unparseable = true
		return r, []string{"the body is not a JSON object"}
	}
	v := &rawCheck{obj: obj}
	if len(body) > MaxBodyBytes {
		v.bad(fmt.Sprintf("the body is %d bytes; PagerDuty accepts at most %d", len(body), MaxBodyBytes))
	}
	r.RoutingKey = v.str(obj, "routing_key")
	r.EventAction = v.str(obj, "event_action")
	r.DedupKey = v.str(obj, "dedup_key")
	if r.Change {
		v.change(r)
	} else {
		v.alert(r)
	}
	v.links(obj["links"])
	return r, v.problems
}

// rawCheck collects the problems of one body.
type rawCheck struct {
	obj      map[string]json.RawMessage
	problems []string
	// mistyped holds the fields of another JSON type than string, already
	// reported: no second problem is reported for them.
	mistyped map[string]bool
}

func (v *rawCheck) bad(msg string) { v.problems = append(v.problems, msg) }

// wireNames renames the Flux parameters that the sender's rule functions
// name to the wire fields a relay's client sent.
var wireNames = strings.NewReplacer("routingKey", "routing_key", "dedupKey", "dedup_key")

// rule records the problem err of a sender's rule function, if any.
func (v *rawCheck) rule(err error) {
	if err != nil {
		v.bad(wireNames.Replace(err.Error()))
	}
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// str returns the string field name of obj ("" when absent or null), and
// records a problem when it is of another JSON type. name is the field's
// wire path.
func (v *rawCheck) str(obj map[string]json.RawMessage, name string) string {
	field := name[strings.LastIndexByte(name, '.')+1:]
	raw := obj[field]
	if isNull(raw) {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		v.bad(fmt.Sprintf("%s must be a string", name))
		if v.mistyped == nil {
			v.mistyped = map[string]bool{}
		}
		v.mistyped[name] = true
		return ""
	}
	return s
}

// routingKey checks the key as the sender does.
func (v *rawCheck) routingKey(key string, change bool) {
	switch {
	case v.mistyped["routing_key"]:
	case key == "":
		v.bad("routing_key is missing or empty; it must be the 32-character integration key of an Events API v2 integration")
	case change:
		v.rule(checkChangeRoutingKey(key))
	default:
		v.rule(checkRoutingKey(key))
	}
}

// alert checks an alert event's fields.
func (v *rawCheck) alert(r Raw) {
	v.routingKey(r.RoutingKey, false)
	switch r.EventAction {
	case Trigger:
		v.trigger()
	case Acknowledge, Resolve:
		// The payload is optional, and never a reason to refuse them.
	default:
		if v.mistyped["event_action"] {
			break
		}
		if _, present := v.obj["event_action"]; !present || r.EventAction == "" {
			v.bad("event_action is missing or empty; it must be one of trigger, acknowledge, resolve")
		} else {
			v.bad(fmt.Sprintf("event_action must be one of trigger, acknowledge, resolve (in lower case); got %s", Quote(r.EventAction)))
		}
	}
	if r.EventAction == Trigger || r.EventAction == Acknowledge || r.EventAction == Resolve {
		v.rule(checkDedupKey(r.DedupKey, r.EventAction))
	}
	v.images(v.obj["images"])
}

// trigger checks a trigger's payload.
func (v *rawCheck) trigger() {
	p, ok := v.object("payload")
	if !ok {
		return
	}
	v.summary(p)
	if strings.TrimSpace(v.str(p, "payload.source")) == "" && !v.mistyped["payload.source"] {
		v.bad("payload.source is missing or blank; a trigger needs the affected system, preferably a hostname or FQDN")
	}
	switch s := v.str(p, "payload.severity"); {
	case s == Critical, s == Error, s == Warning, s == Info, v.mistyped["payload.severity"]:
	default:
		v.bad(fmt.Sprintf("payload.severity must be one of critical, error, warning, info (in lower case); got %s", Quote(s)))
	}
	for _, f := range []string{"payload.component", "payload.group", "payload.class"} {
		v.str(p, f)
	}
	v.timestamp(p)
}

// change checks a change event's fields.
func (v *rawCheck) change(r Raw) {
	v.routingKey(r.RoutingKey, true)
	for _, f := range []string{"event_action", "dedup_key"} {
		if _, present := v.obj[f]; present {
			v.bad(fmt.Sprintf("%s is not a field of change events; send alert events to %s", f, AlertPath))
		}
	}
	p, ok := v.object("payload")
	if !ok {
		return
	}
	v.summary(p)
	v.str(p, "payload.source")
	v.timestamp(p)
}

// object returns the JSON object field name, recording a problem when it
// is missing or not an object.
func (v *rawCheck) object(name string) (map[string]json.RawMessage, bool) {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(v.obj[name], &p); err != nil || p == nil {
		v.bad(fmt.Sprintf("%s is missing or not a JSON object; it must hold summary and the other fields", name))
		return nil, false
	}
	return p, true
}

// summary checks payload.summary: present, not blank, at most
// MaxSummaryRunes characters.
func (v *rawCheck) summary(p map[string]json.RawMessage) {
	s := v.str(p, "payload.summary")
	switch n := utf8.RuneCountInString(s); {
	case v.mistyped["payload.summary"]:
	case strings.TrimSpace(s) == "":
		v.bad("payload.summary is missing or blank; it must be a short description of the problem or change")
	case n > MaxSummaryRunes:
		v.bad(fmt.Sprintf("payload.summary is %d characters long; PagerDuty accepts at most %d", n, MaxSummaryRunes))
	}
}

// timestamp checks payload.timestamp when present.
func (v *rawCheck) timestamp(p map[string]json.RawMessage) {
	if isNull(p["timestamp"]) {
		return
	}
	if ts := v.str(p, "payload.timestamp"); !validISODateTime(ts) && !v.mistyped["payload.timestamp"] {
		v.bad(fmt.Sprintf("payload.timestamp must be an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got %s", Quote(ts)))
	}
}

// links checks links[] as the sender does.
func (v *rawCheck) links(raw json.RawMessage) {
	var links []Link
	if isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, &links); err != nil {
		v.bad("links must be an array of objects with a string href and an optional string text")
		return
	}
	v.rule(checkLinks(links))
}

// images checks images[] as the sender does.
func (v *rawCheck) images(raw json.RawMessage) {
	var images []Image
	if isNull(raw) {
		return
	}
	if err := json.Unmarshal(raw, &images); err != nil {
		v.bad("images must be an array of objects with a string src and optional string href and alt")
		return
	}
	v.rule(checkImages(images))
}
