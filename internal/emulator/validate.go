package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits and wording of the Events API v2, from
// https://developer.pagerduty.com/docs/send-alert-event and
// https://developer.pagerduty.com/docs/send-change-event.
const (
	routingKeyLen     = 32     // integration keys are 32 characters
	maxDedupKeyLen    = 255    // characters
	maxSummaryLen     = 1024   // characters (runes)
	maxEventSize      = 512000 // bytes; PagerDuty says 512 KB, senders use 512000
	rulesetKeyPrefix  = "R"    // ruleset keys cannot receive change events
	errRoutingKeyLen  = "Length of 'routing_key' is incorrect (should be 32 characters)"
	errSummaryTooLong = "Description is too long (maximum is 1024 characters)"
	errParse          = "JSON parse error"
)

var (
	errTooLarge = fmt.Sprintf("Event object is too large (maximum is %d bytes)", maxEventSize)
	errSeverity = "'payload.severity' is invalid (must be one of critical, error, warning, info)"
	errAction   = "'event_action' is missing or invalid"
)

// event is what the emulator read from an events request: the fields it
// shows, and every problem found.
type event struct {
	kind        string
	unparseable bool // not a JSON object: PagerDuty's "Unrecognized object"
	errs        []string

	routingKey, action, dedupKey string
	severity, summary, source    string
	payload                      bool // the event carried a payload object

	request int // the Request.ID that carried it, set before it is applied
}

// parse reads and validates an events request body of the given kind. It
// never fails: problems are listed in the returned event.
func parse(kind string, body []byte) event {
	ev := event{kind: kind}
	c := &checker{}
	if len(body) > maxEventSize {
		c.addf("%s", errTooLarge)
	}
	var obj object
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		if len(c.errs) == 0 {
			ev.unparseable = true
			ev.errs = []string{errParse}
		} else {
			ev.errs = c.errs
		}
		return ev
	}
	if kind == KindChange {
		c.change(obj, &ev)
	} else {
		c.alert(obj, &ev)
	}
	ev.errs = c.errs
	return ev
}

// alert validates an alert event (POST /v2/enqueue).
func (c *checker) alert(obj object, ev *event) {
	ev.routingKey = c.routingKey(obj)
	action, p := c.str(obj, "event_action", "event_action")
	ev.action = action
	validAction := action == ActionTrigger || action == ActionAcknowledge || action == ActionResolve
	if p != bad && !validAction {
		c.addf("%s", errAction)
	}
	ev.dedupKey = c.dedupKey(obj, action == ActionAcknowledge || action == ActionResolve)
	switch action {
	case ActionTrigger:
		payload, p := c.obj(obj, "payload", "payload")
		if p == absent {
			c.addf("'payload' is missing")
		}
		if p == good {
			c.payload(payload, ev)
			ev.payload = true
		}
	case ActionAcknowledge, ActionResolve:
		// PagerDuty accepts the trigger's payload here and does not require
		// it: record what it holds, never reject the event for it.
		var lenient checker
		if payload, p := lenient.obj(obj, "payload", "payload"); p == good {
			lenient.payload(payload, ev)
			ev.payload = true
		}
	}
	c.optStrings(obj, "", "client", "client_url")
	c.images(obj)
	c.links(obj)
}

// change validates a change event (POST /v2/change/enqueue).
func (c *checker) change(obj object, ev *event) {
	ev.routingKey = c.routingKey(obj)
	if strings.HasPrefix(ev.routingKey, rulesetKeyPrefix) {
		c.addf("'routing_key' is a ruleset key (starting with 'R'); change events cannot be sent to rulesets")
	}
	for _, k := range []string{"event_action", "dedup_key"} {
		if raw, ok := obj[k]; ok && jsonKind(raw) != "null" {
			c.addf("'%s' is not allowed in change events", k)
		}
	}
	payload, p := c.obj(obj, "payload", "payload")
	if p == absent {
		c.addf("'payload' is missing")
	}
	if p == good {
		ev.summary = c.summary(payload)
		ev.source, _ = c.str(payload, "source", "payload.source")
		c.timestamp(payload)
		c.obj(payload, "custom_details", "payload.custom_details")
	}
	c.links(obj)
}

// dedupKey checks dedup_key; need says it is required (acknowledge, resolve).
func (c *checker) dedupKey(obj object, need bool) string {
	key, p := c.str(obj, "dedup_key", "dedup_key")
	switch {
	case p == good && runes(key) > maxDedupKeyLen:
		c.addf("'dedup_key' is too long (maximum is %d characters)", maxDedupKeyLen)
	case need && p != bad && blank(key):
		c.addf("'dedup_key' is missing or blank (required for acknowledge and resolve)")
	}
	if blank(key) {
		return ""
	}
	return key
}

// payload validates the payload of a trigger.
func (c *checker) payload(p object, ev *event) {
	ev.summary = c.summary(p)
	ev.source, _ = c.required(p, "source", "payload.source")
	severity, sp := c.str(p, "severity", "payload.severity")
	ev.severity = severity
	switch {
	case sp == bad:
	case blank(severity):
		c.addf("'payload.severity' is missing or blank (must be one of critical, error, warning, info)")
	case !validSeverity(severity):
		c.addf("%s", errSeverity)
	}
	c.timestamp(p)
	c.optStrings(p, "payload.", "component", "group", "class")
	c.obj(p, "custom_details", "payload.custom_details")
}

func validSeverity(s string) bool {
	switch s {
	case "critical", "error", "warning", "info":
		return true
	}
	return false
}

func (c *checker) summary(p object) string {
	s, sp := c.required(p, "summary", "payload.summary")
	if sp == good && runes(s) > maxSummaryLen {
		c.addf("%s", errSummaryTooLong)
	}
	return s
}

func (c *checker) timestamp(p object) {
	ts, tp := c.str(p, "timestamp", "payload.timestamp")
	if tp == good && !validTimestamp(ts) {
		c.addf("'payload.timestamp' is not an ISO 8601 date-time with offset (like 2015-07-17T08:42:58.315+0000)")
	}
}

// validTimestamp reports whether s is a payload.timestamp the emulator
// accepts: YYYY-MM-DDThh:mm:ss, an optional fraction of 1 to 9 digits after
// '.' or ',', and Z, ±hh:mm, ±hhmm or ±hh, every field in range (see the
// package documentation). It scans s by hand rather than sharing the
// sender's regular expression, so that the two are independent opinions.
func validTimestamp(s string) bool {
	const dateTime = "2006-01-02T15:04:05"
	if len(s) < len(dateTime) || !sameShape(s[:len(dateTime)], dateTime) {
		return false
	}
	if _, err := time.Parse(dateTime, s[:len(dateTime)]); err != nil {
		return false // out of range: 2016-02-30, 24:00:00, a leap second
	}
	rest := s[len(dateTime):]
	if rest != "" && (rest[0] == '.' || rest[0] == ',') {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 || n > 10 { // 1 to 9 digits
			return false
		}
		rest = rest[n:]
	}
	return validOffset(rest)
}

// validOffset reports whether off is Z, ±hh, ±hhmm or ±hh:mm with hours
// 00 to 23 and minutes 00 to 59.
func validOffset(off string) bool {
	if off == "Z" {
		return true
	}
	if len(off) == 6 && off[3] == ':' {
		off = off[:3] + off[4:]
	}
	if (len(off) != 3 && len(off) != 5) || (off[0] != '+' && off[0] != '-') || !sameShape(off[1:], "0000"[:len(off)-1]) {
		return false
	}
	if hh, _ := strconv.Atoi(off[1:3]); hh > 23 {
		return false
	}
	if len(off) == 5 {
		mm, _ := strconv.Atoi(off[3:5])
		return mm <= 59
	}
	return true
}

// sameShape reports whether s has a digit wherever layout has one and the
// same byte everywhere else.
func sameShape(s, layout string) bool {
	if len(s) != len(layout) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if isDigit(layout[i]) != isDigit(s[i]) || (!isDigit(layout[i]) && s[i] != layout[i]) {
			return false
		}
	}
	return true
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func (c *checker) images(obj object) {
	c.elements(obj, "images", func(img object, path string) {
		src, p := c.required(img, "src", path+".src")
		if p == good && !isHTTPS(src) {
			c.addf("'%s.src' must be an https URL", path)
		}
		c.optStrings(img, path+".", "href", "alt")
	})
}

func (c *checker) links(obj object) {
	c.elements(obj, "links", func(link object, path string) {
		c.required(link, "href", path+".href")
		c.optStrings(link, path+".", "text")
	})
}

func isHTTPS(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}
