// Package event is the Flux-free core of fluxpd: the PagerDuty Events API v2
// wire model, and the validation and normalisation that turn loosely typed
// input into an event PagerDuty accepts.
//
// See https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ for
// the contract.
//
// # Timestamps
//
// PagerDuty documents payload.timestamp only as an "ISO 8601 date-time" and
// its own example is 2015-07-17T08:42:58.315+0000, which is ISO 8601 but not
// RFC 3339. fluxpd accepts one form, the common ground of both standards
// and of PagerDuty's example, and nothing that a strict ISO 8601 parser
// might refuse:
//
//	YYYY-MM-DDThh:mm:ss[.f] followed by Z, ±hh:mm, ±hhmm or ±hh
//
// with an upper-case 'T' and 'Z', seconds present, a fraction of 1 to 9
// digits after '.' or ',', and every field in range (offset hours 00 to 23,
// minutes 00 to 59). Refused: reduced precision such as 2016-07-17T08:42Z,
// lower-case t or z (RFC 3339 allows them, ISO 8601 does not), the leap
// second :60 (which most parsers refuse), a missing offset (a local time of
// unknown zone), the basic format, week and ordinal dates. A time value is
// always sent as RFC 3339 with nanoseconds in UTC, which is of that form.
//
// The emulator (internal/emulator) implements the same rule independently,
// as a second opinion; internal/contract/testdata/timestamps.txt is the one
// table both are tested against.
package event

// Event actions, as PagerDuty spells them on the wire.
const (
	Trigger     = "trigger"
	Acknowledge = "acknowledge"
	Resolve     = "resolve"
)

// Severities, as PagerDuty spells them on the wire.
const (
	Critical = "critical"
	Error    = "error"
	Warning  = "warning"
	Info     = "info"
)

// API limits.
// https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
const (
	// RoutingKeyRunes is the length of every integration key (and ruleset
	// key) PagerDuty issues.
	RoutingKeyRunes = 32
	// MaxSummaryRunes is the longest payload.summary PagerDuty accepts.
	MaxSummaryRunes = 1024
	// MaxDedupKeyRunes is the longest dedup_key PagerDuty accepts.
	MaxDedupKeyRunes = 255
	// MaxBodyBytes is the largest request body PagerDuty accepts. The
	// documentation says 512 KB; like Alertmanager we read it as 512000
	// bytes, the conservative reading.
	MaxBodyBytes = 512000
)

// Event is an alert event as sent to /v2/enqueue. Fields mirror the wire JSON.
type Event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key,omitempty"`
	Client      string   `json:"client,omitempty"`
	ClientURL   string   `json:"client_url,omitempty"`
	Payload     *Payload `json:"payload,omitempty"`
	Images      []Image  `json:"images,omitempty"`
	Links       []Link   `json:"links,omitempty"`
}

// Payload is the body of a trigger event. Acknowledge and resolve events
// carry it too when the caller's payload fields are complete and valid.
type Payload struct {
	Summary       string  `json:"summary"`
	Source        string  `json:"source"`
	Severity      string  `json:"severity"`
	Timestamp     string  `json:"timestamp,omitempty"`
	Component     string  `json:"component,omitempty"`
	Group         string  `json:"group,omitempty"`
	Class         string  `json:"class,omitempty"`
	CustomDetails Details `json:"custom_details,omitempty"`
}

// ChangeEvent is a change event as sent to /v2/change/enqueue.
type ChangeEvent struct {
	RoutingKey string         `json:"routing_key"`
	Payload    *ChangePayload `json:"payload"`
	Links      []Link         `json:"links,omitempty"`
}

// ChangePayload is the body of a change event.
type ChangePayload struct {
	Summary       string  `json:"summary"`
	Source        string  `json:"source,omitempty"`
	Timestamp     string  `json:"timestamp,omitempty"`
	CustomDetails Details `json:"custom_details,omitempty"`
}

// Link is a link shown with the alert.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Image is an image shown with the alert. Src must be an https URL.
type Image struct {
	Src  string `json:"src"`
	Href string `json:"href,omitempty"`
	Alt  string `json:"alt,omitempty"`
}
