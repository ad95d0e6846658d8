package host

import (
	"errors"
	"strings"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// failure describes a send that did not end with a 2xx answer, with m's
// routing key masked in every field.
func failure(m Message, r Result) Failure {
	f := Failure{Function: m.Function, URL: redact.URL(m.URL), DedupKey: redact.String(m.DedupKey, m.RoutingKey)}
	if r.Response != nil {
		f.Status, f.Attempts = r.Response.StatusCode, r.Response.Attempts
		f.Reason = r.Response.Reason()
	}
	var de *delivery.Error
	if errors.As(r.Err, &de) {
		f.Status, f.Attempts = de.StatusCode, de.Attempts
	}
	if f.Reason == "" && r.Err != nil {
		f.Reason = r.Err.Error()
	}
	if r.Queued != "" {
		f.Queued, f.Reason = true, r.Queued // the outbox masks what it says
	}
	// Delivery and the outbox mask what they return; a refusal is the
	// binding's own text, masked here like the rest.
	f.Reason = oneLine(f.Reason, m.RoutingKey)
	return f
}

// described fills in what every Sent says of m.
func described(m Message, st Sent) Sent {
	st.Function, st.URL = m.Function, redact.URL(m.URL)
	st.DedupKey = redact.String(m.DedupKey, m.RoutingKey)
	st.Action = m.Action
	st.Summary = redact.String(m.Summary, m.RoutingKey)
	return st
}

// oneLine is text on one line with the routing key masked.
func oneLine(text, routingKey string) string {
	return redact.String(strings.ReplaceAll(text, "\n", "; "), routingKey)
}
