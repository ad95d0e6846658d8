package host

import (
	"errors"
	"net/url"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// Host is what the program running the pagerduty functions decides for
// every query: the server-wide default URLs, where requests go instead
// (a test run's emulator), the outbox, and who is told how each event
// ended. A script's own options and arguments still win over URL and
// ChangeURL. The zero Host sends with the package defaults and tells no
// one.
type Host struct {
	// URL and ChangeURL replace the package's default URLs; "" keeps them.
	URL, ChangeURL string
	// Divert, when not nil, sends every request of every pagerduty call
	// to this URL's scheme and host instead of where the call resolved to
	// (see Divert): fluxpd run and fluxpd send without --live set it to
	// the built-in emulator, so that nothing a script says can page
	// anyone. Reports still name the URL the call resolved to.
	Divert *url.URL
	// Outbox, when not nil, stores every event whose delivery ended with a
	// retryable outcome (429, 5xx, no answer, deadline spent) and every
	// event whose alert already has events waiting there, for redelivery
	// in order. The script then sees the last status and no error.
	Outbox *outbox.Outbox
	// FlushFirst makes a send whose alert has events waiting in the outbox
	// try that alert's first waiting event once first (fluxpd run does;
	// servers leave it to their background flusher).
	FlushFirst bool
	// Report, when not nil, is called once for every event that was not
	// accepted: refused before sending, answered other than 2xx, no answer,
	// or queued in the outbox. It is called from the goroutine that sent.
	Report func(Failure)
	// Note, when not nil, is called once for every event sent other than
	// as the script gave it: a summary cut to PagerDuty's 1024
	// characters, or an acknowledge or resolve sent without the payload
	// fields that would not make a valid payload.
	Note func(Note)
	// Sent, when not nil, is called once for every event a call sent or
	// refused, with how it ended, from the goroutine that sent it.
	Sent func(Sent)
	// Metrics, when not nil, count every event, its attempts and time.
	Metrics *Metrics
	// Log, when not nil, writes one line at error level: an event lost
	// because the outbox could not store it.
	Log func(string)
}

// Validate checks the host's URLs, so that a server can refuse to start
// with a bad one rather than fail every send. alertDefault and
// changeDefault are the package's own defaults, shown as examples.
func (h *Host) Validate(alertDefault, changeDefault string) error {
	var errs []error
	if h.URL != "" {
		errs = append(errs, delivery.CheckURL("the default PagerDuty URL", h.URL, alertDefault))
	}
	if h.ChangeURL != "" {
		errs = append(errs, delivery.CheckURL("the default PagerDuty change URL", h.ChangeURL, changeDefault))
	}
	return errors.Join(errs...)
}

// Sender returns s as the host sends with it: when the host diverts, with
// a client of its own that sends every request to the emulator (Divert)
// and, being an *http.Client, gets delivery.Sender's no-redirect copy; the
// caller's client (say Flux's, which may follow redirects) is not used.
func (h *Host) Sender(s *delivery.Sender) *delivery.Sender {
	if h.Divert == nil || s == nil {
		return s
	}
	return &delivery.Sender{
		Client:    (&Divert{To: h.Divert}).Client(nil),
		Validate:  s.Validate,
		Policy:    s.Policy,
		UserAgent: s.UserAgent,
		Clock:     s.Clock,
		Rand:      s.Rand,
	}
}
