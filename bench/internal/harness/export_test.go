package harness

import "github.com/fluxpd/fluxpd/internal/event"

// FluxpdBody is the body fluxpd's sendEvent sends for r, with the
// arguments the scripts give it (see eventFields).
func FluxpdBody(r Row) ([]byte, error) {
	ev, _, err := event.Build(event.Input{
		RoutingKey: RoutingKey, EventAction: r.Action(), DedupKey: r.Host,
		Client: eventClient, ClientURL: eventClientURL, Class: eventClass, Group: eventGroup,
		Severity: r.Severity(), Component: eventComponent, Source: r.Host, Summary: r.Message,
		Timestamp: event.TimestampAt(r.Time),
	})
	if err != nil {
		return nil, err
	}
	return event.Encode(ev)
}
