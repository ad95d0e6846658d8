package main

// "fluxpd outbox list" and "stats": what waits, for people. Routing keys
// are masked, also where an event's summary quotes one.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// Cuts for readable columns: a summary, and a last or dead reason in the
// pending table (dead letters show theirs whole).
const (
	listSummaryRunes = 40
	listReasonRunes  = 120
)

func outboxList(ob *outbox.Outbox, deadOnly bool, stdout io.Writer) error {
	pending, err := ob.List()
	if err != nil {
		return err
	}
	dead, err := ob.DeadLetters()
	if err != nil {
		return err
	}
	now := time.Now()
	if !deadOnly {
		fmt.Fprintf(stdout, "%d pending %s:\n", len(pending), outboxPlural(len(pending), "event", "events"))
		if len(pending) > 0 {
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  ID\tACTION\tROUTING KEY\tDEDUP KEY\tSUMMARY\tAGE\tATTEMPTS\tNEXT ATTEMPT\tLAST REASON")
			for _, e := range pending {
				action, summary := eventOf(e)
				fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, action, redact.Key(e.RoutingKey), outboxQuoteKey(e.DedupKey),
					summary, outboxAge(now, e.Created), e.Attempts, nextAttempt(now, e), cutRunes(lastOutcome(e), listReasonRunes))
			}
			tw.Flush()
		}
	}
	fmt.Fprintf(stdout, "%d dead %s:\n", len(dead), outboxPlural(len(dead), "letter", "letters"))
	if len(dead) > 0 {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tACTION\tROUTING KEY\tDEDUP KEY\tSUMMARY\tDEAD FOR\tATTEMPTS\tTO\tREASON")
		for _, e := range dead {
			action, summary := eventOf(e)
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, action, redact.Key(e.RoutingKey), outboxQuoteKey(e.DedupKey),
				summary, outboxAge(now, e.DeadAt), e.Attempts, redact.URL(e.URL), oneLine(redact.String(e.LastReason, e.RoutingKey)))
		}
		tw.Flush()
	}
	return nil
}

// nextAttempt says when e will be tried: an event behind its group's head
// waits for it, whatever its own time says.
func nextAttempt(now time.Time, e outbox.Entry) string {
	switch {
	case e.Sending:
		return "sending"
	case e.Behind != 0:
		return fmt.Sprintf("after #%d", e.Behind)
	case e.NextAttempt.After(now):
		return "in " + e.NextAttempt.Sub(now).Round(time.Second).String()
	}
	return "now"
}

// eventOf reads the action and summary from e's stored body: trigger,
// acknowledge or resolve for an alert event, change for a change event.
// A body that does not decode says so, with its size; it is never shown.
func eventOf(e outbox.Entry) (action, summary string) {
	var b struct {
		Action  string `json:"event_action"`
		Payload struct {
			Summary string `json:"summary"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(e.Body, &b); err != nil {
		return "?", fmt.Sprintf("(the stored body, %d bytes, is no JSON event)", len(e.Body))
	}
	action = b.Action
	if action == "" {
		action = "?"
		if u, err := url.Parse(e.URL); err == nil && strings.HasSuffix(u.Path, "/change/enqueue") {
			action = "change"
		}
	}
	summary = "(none)"
	if b.Payload.Summary != "" {
		summary = strconv.Quote(cutRunes(oneLine(redact.String(b.Payload.Summary, e.RoutingKey)), listSummaryRunes))
	}
	return oneLine(action), summary
}

func lastOutcome(e outbox.Entry) string {
	s := redact.String(e.LastReason, e.RoutingKey)
	if e.LastStatus != 0 && !strings.Contains(s, strconv.Itoa(e.LastStatus)) {
		s = fmt.Sprintf("%d %s", e.LastStatus, s)
	}
	return oneLine(s)
}

// cutRunes cuts s to n runes, the last one an ellipsis.
func cutRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// oneLine keeps a table's row on its line and in its columns.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s)
}

func outboxStats(ob *outbox.Outbox, stdout io.Writer) error {
	s, err := ob.Stats()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pending: %d (%d being sent)\ndead letters: %d\n", s.Pending, s.Sending, s.Dead)
	if s.Pending > 0 {
		fmt.Fprintf(stdout, "oldest: %s\n", s.Oldest.Round(time.Second))
		if d := time.Until(s.NextAttempt); d > 0 {
			fmt.Fprintf(stdout, "next attempt: in %s\n", d.Round(time.Second))
		} else {
			fmt.Fprintln(stdout, "next attempt: now")
		}
	}
	return nil
}

func outboxQuoteKey(k string) string {
	if k == "" {
		return "(none)"
	}
	return strconv.Quote(k)
}

func outboxAge(now, t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return now.Sub(t).Round(time.Second).String()
}
