package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
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

// timestampLayouts are the ISO 8601 date-time forms accepted for
// payload.timestamp. Parsing accepts fractional seconds in all of them;
// Z0700 takes both "Z" and "+0000", as in PagerDuty's own examples.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
}

// event is what the emulator read from an events request: the fields it
// shows, and every problem found.
type event struct {
	kind        string
	unparseable bool // not a JSON object: PagerDuty's "Unrecognized object"
	errs        []string

	routingKey, action, dedupKey string
	severity, summary, source    string
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
	if action == ActionTrigger {
		payload, p := c.obj(obj, "payload", "payload")
		if p == absent {
			c.addf("'payload' is missing")
		}
		if p == good {
			c.payload(payload, ev)
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

func (c *checker) routingKey(obj object) string {
	key, p := c.required(obj, "routing_key", "routing_key")
	if p == good && runes(key) != routingKeyLen {
		c.addf("%s", errRoutingKeyLen)
	}
	return key
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

func validTimestamp(s string) bool {
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

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
