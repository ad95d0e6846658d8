package pagerduty

import "github.com/fluxpd/fluxpd/internal/event"

// eventGist returns what the host is told of an event the core built: its
// action ("change" for a change event) and its summary.
func eventGist(ev any) (action, summary string) {
	switch e := ev.(type) {
	case *event.Event:
		if e.Payload != nil {
			summary = e.Payload.Summary
		}
		return e.EventAction, summary
	case *event.ChangeEvent:
		if e.Payload != nil {
			summary = e.Payload.Summary
		}
		return "change", summary
	}
	return "", ""
}
