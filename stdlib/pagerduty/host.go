package pagerduty

import (
	"context"
	"errors"
	"net/url"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// Host holds what the program running Flux decides for every query: the
// server-wide default URLs (a PagerDuty region, a proxy, a local
// emulator) and where failed sends are reported. A script's own options
// and arguments still win over URL and ChangeURL.
type Host struct {
	// URL and ChangeURL replace the package's default URLs; "" keeps them.
	URL, ChangeURL string
	// Divert, when not nil, sends every request of every pagerduty call
	// to this URL's scheme and host instead of where the call resolved to
	// (see host.Divert): fluxpd run and fluxpd send without --live set it
	// to the built-in emulator, so that nothing the script says can page
	// anyone. Reports still name the URL the call resolved to.
	Divert *url.URL
	// Sent, when not nil, is called once for every event a call sent or
	// refused, with how it ended, from the goroutine that sent it.
	Sent func(Sent)
	// Report, when not nil, is called once for every event that was not
	// accepted: refused before sending, answered other than 2xx, no answer,
	// or queued in the outbox. It is called from the goroutine that sent.
	Report func(Failure)
	// Note, when not nil, is called once for every event sent other than
	// as the script gave it: a summary cut to PagerDuty's 1024
	// characters, or an acknowledge or resolve sent without the payload
	// fields that would not make a valid payload. It is called from the
	// goroutine that builds the event, before it is sent.
	Note func(Note)
	// Outbox, when not nil, stores every event whose delivery ended with a
	// retryable outcome (429, 5xx, no answer, deadline spent) and every
	// event whose alert already has events waiting there, for redelivery
	// in order. The script then sees the last status and no error.
	Outbox *Outbox
	// FlushFirst makes a send whose alert has events waiting in the outbox
	// try to deliver those first (fluxpd run does; servers leave it to
	// their background RunOutbox).
	FlushFirst bool
}

type hostKey struct{}

// WithHost returns a context whose pagerduty calls use h.
func WithHost(ctx context.Context, h Host) context.Context {
	return context.WithValue(ctx, hostKey{}, h)
}

// Validate checks the host's URLs, so that a server can refuse to start
// with a bad one rather than fail every send.
func (h Host) Validate() error {
	var errs []error
	if h.URL != "" {
		errs = append(errs, delivery.CheckURL("the default PagerDuty URL", h.URL, DefaultURL))
	}
	if h.ChangeURL != "" {
		errs = append(errs, delivery.CheckURL("the default PagerDuty change URL", h.ChangeURL, DefaultChangeURL))
	}
	return errors.Join(errs...)
}
