package event

import (
	"errors"
	"fmt"
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
}

// Build validates in and returns the event to send, normalised: action and
// severity in lower case, over-long summary cut, empty optional fields left
// out, payload only on a trigger. Every problem found is reported, each
// naming its parameter, in one error.
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
	if action == Trigger {
		var p *Payload
		p, notice, err = buildPayload(in)
		report(err)
		ev.Payload = p
	}
	report(checkLinks(in.Links))
	report(checkImages(in.Images))
	ev.Links, ev.Images = in.Links, in.Images
	if len(errs) > 0 {
		return nil, Notice{}, errors.Join(errs...)
	}
	return ev, notice, nil
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

func checkRoutingKey(key string) error {
	if strings.TrimSpace(key) == "" {
		return errors.New(`routingKey is empty; set it to the integration key of an Events API v2 integration (hint: routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"))`)
	}
	return nil
}

func normalizeAction(action string) (string, error) {
	switch a := strings.ToLower(action); a {
	case Trigger, Acknowledge, Resolve:
		return a, nil
	}
	return "", fmt.Errorf("eventAction must be one of trigger, acknowledge, resolve; got %q (hint: pagerduty.actionFromLevel(level: r._level) maps monitoring levels to actions)", action)
}

func normalizeSeverity(severity string) (string, error) {
	switch s := strings.ToLower(severity); s {
	case Critical, Error, Warning, Info:
		return s, nil
	}
	return "", fmt.Errorf("severity must be one of critical, error, warning, info; got %q (hint: pagerduty.severityFromLevel(level: %q) maps monitoring levels such as crit, warn, info and ok to PagerDuty severities)", severity, severity)
}

func checkDedupKey(key, action string) error {
	if n := utf8.RuneCountInString(key); n > MaxDedupKeyRunes {
		return fmt.Errorf("dedupKey is %d characters long; PagerDuty accepts at most %d (it is not cut, because a shorter key would address a different alert)", n, MaxDedupKeyRunes)
	}
	if key == "" && (action == Acknowledge || action == Resolve) {
		return fmt.Errorf("dedupKey is empty; %s needs the dedupKey of the alert it acts on (the one its trigger used or got back)", action)
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
		if !strings.HasPrefix(strings.ToLower(img.Src), "https://") {
			return fmt.Errorf("images[%d].src must be an https URL; got %q", i, img.Src)
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
