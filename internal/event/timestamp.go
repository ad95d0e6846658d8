package event

import (
	"fmt"
	"regexp"
	"time"
)

// Timestamp is the time of an event as given by the caller: either a time or
// a string that must already be an ISO 8601 date-time. The zero value means
// "no timestamp": PagerDuty then stamps the time it received the event.
type Timestamp struct {
	Time   time.Time
	String string
	IsTime bool
}

// TimestampAt returns a Timestamp holding t.
func TimestampAt(t time.Time) Timestamp { return Timestamp{Time: t, IsTime: true} }

// TimestampString returns a Timestamp holding s, sent unchanged once checked.
func TimestampString(s string) Timestamp { return Timestamp{String: s} }

// isoDateTime matches the one timestamp form fluxpd accepts (see the
// package documentation): date, 'T', time with seconds, an optional
// fraction, and a UTC offset. Field ranges are checked by
// validISODateTime.
var isoDateTime = regexp.MustCompile(
	`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,]\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)$`)

// wire returns the string to send, or "" to leave the field out.
func (ts Timestamp) wire(param string) (string, error) {
	if ts.IsTime {
		return FormatTime(ts.Time), nil
	}
	if ts.String == "" {
		return "", nil
	}
	if !validISODateTime(ts.String) {
		return "", fmt.Errorf("%s must be a time or an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got %s (hint: pass now() or a time column such as r._time)", param, Quote(ts.String))
	}
	return ts.String, nil
}

// validISODateTime reports whether s is an accepted date-time whose fields
// are in range (no 2021-02-30, no 25:00, no leap second, no +24:00).
func validISODateTime(s string) bool {
	m := isoDateTime.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	// Re-assemble in one fixed layout so time.Parse checks the ranges.
	norm := m[1] + "-" + m[2] + "-" + m[3] + "T" + m[4] + ":" + m[5] + ":" + m[6] + "Z"
	if _, err := time.Parse(time.RFC3339, norm); err != nil {
		return false
	}
	return validOffset(m[7])
}

// validOffset checks the ranges of an offset matched by isoDateTime.
func validOffset(off string) bool {
	if off == "Z" {
		return true
	}
	hh := (off[1]-'0')*10 + (off[2] - '0')
	if hh > 23 {
		return false
	}
	rest := off[3:]
	if len(rest) > 0 && rest[0] == ':' {
		rest = rest[1:]
	}
	return len(rest) == 0 || (rest[0]-'0')*10+(rest[1]-'0') < 60
}
