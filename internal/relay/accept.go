package relay

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// Outcomes of an events request, the values of the outcome label of
// fluxpd_relay_events_received_total.
const (
	outcomeAccepted    = "accepted"    // committed, answered 202
	outcomeInvalid     = "invalid"     // PagerDuty would refuse it: 400
	outcomeRefusedKey  = "refused_key" // its routing key is not allowed: 400
	outcomeTooLarge    = "too_large"   // over event.MaxBodyBytes: 413
	outcomeFull        = "full"        // the outbox holds --max-pending events: 429
	outcomeUnavailable = "unavailable" // stopping, or the outbox failed: 503
)

// serveEvent handles POST /v2/enqueue and /v2/change/enqueue: validate,
// commit, answer. Nothing is stored unless the answer is 202, and 202 is
// answered only once the event is committed (fsynced).
func (s *Server) serveEvent(w http.ResponseWriter, r *http.Request, path string) {
	s.inflight.Add(1)
	defer s.inflight.Done()
	start := time.Now()
	outcome := s.accept(w, r, path)
	s.metrics.received.WithLabelValues(path, outcome).Inc()
	s.metrics.acceptDuration.Observe(time.Since(start).Seconds())
}

// accept does serveEvent's work and returns the outcome.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, path string) string {
	if s.stopping.Load() {
		w.Header().Set("Connection", "close")
		writeAnswer(w, http.StatusServiceUnavailable, answerBody{Status: "unavailable", Message: "the relay is shutting down; retry"})
		return outcomeUnavailable
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, event.MaxBodyBytes))
	if err != nil {
		return s.unreadable(w, r, path, err)
	}
	raw, problems := event.ValidateRaw(path, body)
	for i := range problems { // none quotes the key, unless another field holds it
		problems[i] = redact.String(problems[i], raw.RoutingKey)
	}
	switch {
	case raw.Unparseable:
		s.refused(r, path, raw, outcomeInvalid, "the body is not a JSON object")
		writeAnswer(w, http.StatusBadRequest, unrecognized())
		return outcomeInvalid
	case len(problems) > 0:
		s.refused(r, path, raw, outcomeInvalid, problems...)
		writeAnswer(w, http.StatusBadRequest, invalid(problems...))
		return outcomeInvalid
	case !s.keys.allows(raw.RoutingKey):
		s.refused(r, path, raw, outcomeRefusedKey, "the routing key is not in --allow-keys")
		writeAnswer(w, http.StatusBadRequest, invalid(errInvalidKey))
		return outcomeRefusedKey
	}
	return s.store(w, r, path, raw, body)
}

// unreadable answers a body that could not be read: too large, or cut off.
func (s *Server) unreadable(w http.ResponseWriter, r *http.Request, path string, err error) string {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		why := fmt.Sprintf("the body is over %d bytes, PagerDuty's limit", event.MaxBodyBytes)
		s.refused(r, path, event.Raw{}, outcomeTooLarge, why)
		writeAnswer(w, http.StatusRequestEntityTooLarge, answerBody{Status: statusInvalid, Message: "Request body too large", Errors: []string{why}})
		return outcomeTooLarge
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		why := fmt.Sprintf("the request body did not arrive within %s (the relay's read timeout)", s.opts.ReadTimeout)
		s.refused(r, path, event.Raw{}, outcomeInvalid, why)
		w.Header().Set("Connection", "close")
		writeAnswer(w, http.StatusRequestTimeout, answerBody{Status: "timeout", Message: "Request timeout", Errors: []string{why}})
		return outcomeInvalid
	}
	s.refused(r, path, event.Raw{}, outcomeInvalid, "the body could not be read: "+err.Error())
	writeAnswer(w, http.StatusBadRequest, unrecognized())
	return outcomeInvalid
}

// store commits a valid event and answers 202, or says why it cannot.
func (s *Server) store(w http.ResponseWriter, r *http.Request, path string, raw event.Raw, body []byte) string {
	dedupKey := raw.DedupKey
	if !raw.Change && needsDedupKey(raw.EventAction, dedupKey) {
		dedupKey = newDedupKey()
		var err error
		if body, err = withDedupKey(body, dedupKey); err != nil {
			s.refused(r, path, raw, outcomeInvalid, err.Error())
			writeAnswer(w, http.StatusBadRequest, unrecognized())
			return outcomeInvalid
		}
		if len(body) > event.MaxBodyBytes {
			return s.noRoomForKey(w, r, path, raw, len(body))
		}
	}
	if n, ok := s.pending.reserve(1); !ok {
		why := fmt.Sprintf("the relay's outbox is full: %d events wait for delivery (--max-pending %d)", n, s.pending.max)
		s.refused(r, path, raw, outcomeFull, why)
		writeAnswer(w, http.StatusTooManyRequests, answerBody{Status: "throttle event", Message: "Requests for this service are arriving too quickly. Please retry later.", Errors: []string{why}})
		return outcomeFull
	}
	e := outbox.Entry{Created: s.opts.Now(), URL: s.opts.Upstream + path, RoutingKey: raw.RoutingKey, Body: body}
	if !raw.Change {
		e.DedupKey = dedupKey
	}
	_, err := s.commit.commit(e)
	s.pending.done(1, err == nil)
	if err != nil {
		s.health.failed("commit", err)
		why := "the relay cannot store the event now: " + redact.String(err.Error(), raw.RoutingKey)
		s.refused(r, path, raw, outcomeUnavailable, why)
		writeAnswer(w, http.StatusServiceUnavailable, answerBody{Status: "unavailable", Message: "Event not stored; retry", Errors: []string{why}})
		return outcomeUnavailable
	}
	s.health.ok("commit")
	s.flusher.wakeFor(raw.RoutingKey)
	if raw.Change {
		dedupKey = ""
	}
	writeAnswer(w, http.StatusAccepted, accepted(dedupKey))
	return outcomeAccepted
}

// noRoomForKey answers 413 for a trigger without dedup key that is too
// large once given one. Delivered without it, each redelivery could open
// a new incident; PagerDuty would refuse it with it.
func (s *Server) noRoomForKey(w http.ResponseWriter, r *http.Request, path string, raw event.Raw, size int) string {
	why := fmt.Sprintf("the trigger has no dedup_key, and with the one the relay gives it (so that a redelivery cannot open a second incident) the body is %d bytes, over PagerDuty's %d; send it with a dedup_key, or with fewer custom_details", size, event.MaxBodyBytes)
	s.refused(r, path, raw, outcomeTooLarge, why)
	writeAnswer(w, http.StatusRequestEntityTooLarge, answerBody{Status: statusInvalid, Message: "Request body too large", Errors: []string{why}})
	return outcomeTooLarge
}

// refused logs one line for an event the relay did not take.
func (s *Server) refused(r *http.Request, path string, raw event.Raw, outcome string, why ...string) {
	attrs := []any{"outcome", outcome, "path", path, "remote", r.RemoteAddr}
	if raw.RoutingKey != "" {
		attrs = append(attrs, "routing_key", redact.Key(raw.RoutingKey))
	}
	if raw.DedupKey != "" {
		dk, _ := event.TruncateRunes(raw.DedupKey, event.MaxQuotedRunes)
		attrs = append(attrs, "dedup_key", dk)
	}
	attrs = append(attrs, "reason", redact.String(strings.Join(why, "; "), raw.RoutingKey))
	s.log.Warn("relay: refused an event", attrs...)
}
