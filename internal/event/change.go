package event

import (
	"errors"
	"strings"
)

// ChangeInput is a change event as a caller describes it, before
// validation. Field names follow the Flux parameters of
// pagerduty.sendChangeEvent.
//
// Change events record something that changed (a deploy, a configuration
// push) next to a service's incidents; they open no incident and have no
// action or dedup key. See
// https://developer.pagerduty.com/docs/send-change-event.
type ChangeInput struct {
	RoutingKey    string
	Summary       string
	Source        string
	Timestamp     Timestamp
	CustomDetails Details
	Links         []Link
}

// BuildChange validates in and returns the change event to send, with an
// over-long summary cut to MaxSummaryRunes (reported in the Notice) and
// empty optional fields left out. Every problem found is reported, each
// naming its parameter, in one error.
//
// The same rules as for alert events apply to the fields both share:
// routingKey must not be empty, summary must not be blank, timestamp must be
// a time or an ISO 8601 date-time (or empty, so that PagerDuty stamps the
// time it receives the event), custom details must be representable in
// JSON, and every link needs an href. A routingKey starting with 'R' is a
// ruleset (event orchestration) key, which PagerDuty always refuses for
// change events, so it is refused here before anything is sent: integration
// keys are hexadecimal and never start with 'R'.
func BuildChange(in ChangeInput) (*ChangeEvent, Notice, error) {
	var errs []error
	report := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	report(checkChangeRoutingKey(in.RoutingKey))
	p := &ChangePayload{Source: in.Source, CustomDetails: in.CustomDetails}
	var notice Notice
	p.Summary, notice.SummaryTruncated = TruncateRunes(in.Summary, MaxSummaryRunes)
	if strings.TrimSpace(in.Summary) == "" {
		report(errors.New("summary is empty; a change event needs a short description of the change, such as \"Deployed api v1.4.2\""))
	}
	var err error
	p.Timestamp, err = in.Timestamp.wire("timestamp")
	report(err)
	report(in.CustomDetails.Check("customDetails"))
	report(checkLinks(in.Links))
	if len(errs) > 0 {
		return nil, Notice{}, errors.Join(errs...)
	}
	return &ChangeEvent{RoutingKey: in.RoutingKey, Payload: p, Links: in.Links}, notice, nil
}

// rulesetKeyPrefix starts every ruleset (event orchestration) key.
// https://developer.pagerduty.com/docs/send-change-event
const rulesetKeyPrefix = "R"

func checkChangeRoutingKey(key string) error {
	if err := checkRoutingKey(key); err != nil {
		return err
	}
	if strings.HasPrefix(key, rulesetKeyPrefix) {
		return errors.New("routingKey looks like a ruleset (event orchestration) key, which change events do not accept; use the service's integration key")
	}
	return nil
}
