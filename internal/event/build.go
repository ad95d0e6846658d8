package event

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Input is an alert event as a caller describes it, before validation.
// Field names follow the Flux parameters of pagerduty.sendEvent.
type Input struct {
	RoutingKey    string
	EventAction   string
	DedupKey      string
	Client        string
	ClientURL     string
	Summary       string
	Source        string
	Severity      string
	Timestamp     Timestamp
	Component     string
	Group         string
	Class         string
	CustomDetails Details
	Links         []Link
	Images        []Image
}

// Notice tells what Build changed on the way, so callers can report it.
type Notice struct {
	// SummaryTruncated is set when summary was cut to MaxSummaryRunes.
	SummaryTruncated bool
	// PayloadOmitted is set on an acknowledge or resolve that was given
	// payload fields but is sent without payload because they are
	// incomplete or invalid; it says why, one problem per line.
	PayloadOmitted string
}

// Messages says what Notice reports, one sentence per change, for a person
// reading why PagerDuty shows the event other than it was given.
func (n Notice) Messages() []string {
	var out []string
	if n.SummaryTruncated {
		out = append(out, fmt.Sprintf("summary is longer than %d characters, PagerDuty's limit; it was sent cut to %d, ending in …", MaxSummaryRunes, MaxSummaryRunes))
	}
	if n.PayloadOmitted != "" {
		out = append(out, "sent without payload, because its payload fields would not make a valid trigger payload: "+
			strings.ReplaceAll(n.PayloadOmitted, "\n", "; "))
	}
	return out
}

// Build validates in and returns the event to send, normalised: action and
// severity in lower case, over-long summary cut, empty optional fields left
// out. Every problem found is reported, each naming its parameter, in one
// error.
//
// A trigger needs a complete and valid payload (summary, source, severity).
// An acknowledge or resolve carries the same payload a trigger would when
// its payload fields are complete and valid, because event rules and
// rulesets route on it (upstream Flux, Alertmanager since PR 1483 and
// Kapacitor since PR 2472 send it too). PagerDuty needs only routing_key,
// dedup_key and event_action for them, so an acknowledge or resolve is never
// refused because of its payload fields: when they are incomplete or
// invalid, it is sent without payload and Notice.PayloadOmitted says why.
// An invalid severity is never sent.
func Build(in Input) (*Event, Notice, error) {
	var errs []error
	report := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	ev := &Event{RoutingKey: in.RoutingKey, DedupKey: in.DedupKey, Client: in.Client, ClientURL: in.ClientURL}
	report(checkRoutingKey(in.RoutingKey))
	action, err := normalizeAction(in.EventAction)
	report(err)
	ev.EventAction = action
	report(checkDedupKey(in.DedupKey, action))
	var notice Notice
	switch action {
	case Trigger:
		var p *Payload
		p, notice, err = buildPayload(in)
		report(err)
		ev.Payload = p
	case Acknowledge, Resolve:
		ev.Payload, notice = optionalPayload(in)
	}
	report(checkLinks(in.Links))
	report(checkImages(in.Images))
	ev.Links, ev.Images = in.Links, in.Images
	if len(errs) > 0 {
		return nil, Notice{}, errors.Join(errs...)
	}
	return ev, notice, nil
}

// optionalPayload returns the payload of an acknowledge or resolve: the one
// a trigger would send when the payload fields are complete and valid, or
// nil and why not.
func optionalPayload(in Input) (*Payload, Notice) {
	p, notice, err := buildPayload(in)
	if err == nil {
		return p, notice
	}
	if !hasPayloadFields(in) {
		return nil, Notice{}
	}
	return nil, Notice{PayloadOmitted: err.Error()}
}

// hasPayloadFields reports whether the caller gave any payload field.
func hasPayloadFields(in Input) bool {
	return in.Summary != "" || in.Source != "" || in.Severity != "" || in.Timestamp != (Timestamp{}) ||
		in.Component != "" || in.Group != "" || in.Class != "" || len(in.CustomDetails) > 0
}

// buildPayload validates and normalises the fields of a trigger's payload.
func buildPayload(in Input) (*Payload, Notice, error) {
	var errs []error
	p := &Payload{Component: in.Component, Group: in.Group, Class: in.Class, CustomDetails: in.CustomDetails}
	var notice Notice
	p.Summary, notice.SummaryTruncated = TruncateRunes(in.Summary, MaxSummaryRunes)
	if strings.TrimSpace(in.Summary) == "" {
		errs = append(errs, errors.New("summary is empty; a trigger needs a short description of the problem"))
	}
	p.Source = in.Source
	if strings.TrimSpace(in.Source) == "" {
		errs = append(errs, errors.New("source is empty; a trigger needs the affected system, preferably a hostname or FQDN"))
	}
	var err error
	if p.Severity, err = normalizeSeverity(in.Severity); err != nil {
		errs = append(errs, err)
	}
	if p.Timestamp, err = in.Timestamp.wire("timestamp"); err != nil {
		errs = append(errs, err)
	}
	if err := in.CustomDetails.Check("customDetails"); err != nil {
		errs = append(errs, err)
	}
	return p, notice, errors.Join(errs...)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func normalizeAction(action string) (string, error) {
	switch a := strings.ToLower(action); a {
	case Trigger, Acknowledge, Resolve:
		return a, nil
	}
	return "", fmt.Errorf("eventAction must be one of trigger, acknowledge, resolve; got %s (hint: pagerduty.actionFromLevel(level: r._level) maps monitoring levels to actions)", Quote(action))
}

func normalizeSeverity(severity string) (string, error) {
	switch s := strings.ToLower(severity); s {
	case Critical, Error, Warning, Info:
		return s, nil
	}
	return "", fmt.Errorf("severity must be one of critical, error, warning, info; got %s (hint: pagerduty.severityFromLevel(level: %s) maps monitoring levels such as crit, warn, info and ok to PagerDuty severities)", Quote(severity), Quote(severity))
}

func checkDedupKey(key, action string) error {
	if n := utf8.RuneCountInString(key); n > MaxDedupKeyRunes {
		return fmt.Errorf("dedupKey is %d characters long; PagerDuty accepts at most %d (it is not cut, because a shorter key would address a different alert)", n, MaxDedupKeyRunes)
	}
	if strings.TrimSpace(key) == "" && (action == Acknowledge || action == Resolve) {
		what := "empty"
		if key != "" {
			what = "blank (only white space)"
		}
		return fmt.Errorf("dedupKey is %s; %s needs the dedupKey of the alert it acts on (the one its trigger used or got back)", what, action)
	}
	return nil
}

func checkLinks(links []Link) error {
	for i, l := range links {
		if strings.TrimSpace(l.Href) == "" {
			return fmt.Errorf("links[%d].href is empty; every link needs an href", i)
		}
	}
	return nil
}

func checkImages(images []Image) error {
	for i, img := range images {
		if u, err := url.Parse(img.Src); err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" {
			return fmt.Errorf("images[%d].src must be an https URL; got %s", i, Quote(img.Src))
		}
	}
	return nil
}

// TruncateRunes cuts s to at most n runes, the last of them '…', and reports
// whether it did. It never splits a UTF-8 sequence.
func TruncateRunes(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	if n <= 0 {
		return "", true
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…", true
}
