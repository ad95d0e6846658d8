package main

// "fluxpd outbox": inspect and drain the durable outbox of events waiting
// for redelivery. This file must not initialise Flux: it builds its sender
// from the outbox package (a delivery.Sender on a plain http.Client).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// outboxEnv names the outbox file when --outbox is not given.
const outboxEnv = "FLUXPD_OUTBOX"

const outboxUsage = `Usage: fluxpd outbox COMMAND [flags]

Inspects and drains the outbox of PagerDuty events waiting for redelivery
(routing keys are shown masked).

Commands:
  list                      pending events, then dead letters with PagerDuty's reason
  stats                     counts, age of the oldest event, next attempt
  flush                     try every pending event now; exits 1 if events remain
  flush --watch             keep flushing on the backoff schedule until interrupted
  drop ID...                remove events (pending or dead) by id
  drop --dedup-key KEY      remove every event with this dedup key

Flags:
  --outbox PATH             the outbox file (default $FLUXPD_OUTBOX)
`

type outboxFlags struct {
	path     string
	watch    bool
	interval time.Duration
	dedupKey string
}

// outboxCommand implements "fluxpd outbox".
func outboxCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f outboxFlags
	fs := flag.NewFlagSet("fluxpd outbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.path, "outbox", "", "the outbox file (default $"+outboxEnv+")")
	fs.BoolVar(&f.watch, "watch", false, "flush: keep running, following the backoff schedule, until interrupted")
	fs.DurationVar(&f.interval, "interval", 10*time.Second, "flush --watch: how often to look for due events")
	fs.StringVar(&f.dedupKey, "dedup-key", "", "drop: remove every event with this dedup key")
	fs.Usage = func() { fmt.Fprint(fs.Output(), outboxUsage) }
	rest, err := parseInterspersed(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		fmt.Fprint(stderr, outboxUsage)
		return errUsage
	}
	sub, rest := rest[0], rest[1:]
	switch sub {
	case "list", "stats", "flush", "drop":
	default:
		fmt.Fprintf(stderr, "fluxpd outbox: unknown command %q\n\n%s", sub, outboxUsage)
		return errUsage
	}
	if sub != "drop" && len(rest) > 0 {
		fmt.Fprintf(stderr, "fluxpd outbox %s takes no arguments; got %q\n", sub, rest[0])
		return errUsage
	}
	if f.path == "" {
		f.path = os.Getenv(outboxEnv)
	}
	if f.path == "" {
		fmt.Fprintf(stderr, "fluxpd outbox: no outbox file: give --outbox PATH or set $%s\n", outboxEnv)
		return errUsage
	}
	if sub != "flush" || !f.watch {
		// A one-off command must not create an outbox by mistake.
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("outbox %s: %w", f.path, err)
		}
	}
	// Flushes log from several goroutines at once.
	ob, err := outbox.Open(f.path, outbox.Options{Log: stderrLine(stderr, "")})
	if err != nil {
		return err
	}
	defer ob.Close()
	switch sub {
	case "list":
		return outboxList(ob, stdout)
	case "stats":
		return outboxStats(ob, stdout)
	case "drop":
		return outboxDrop(ob, f, rest, stdout, stderr)
	}
	if f.watch {
		fmt.Fprintf(stdout, "fluxpd outbox: flushing %s every %s until interrupted\n", f.path, f.interval)
		if err := ob.Run(ctx, f.interval); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return outboxStats(ob, stdout)
	}
	rep, err := ob.Flush(ctx, outbox.FlushOptions{Force: true})
	fmt.Fprintf(stdout, "flush: %s\n", rep)
	if err != nil {
		return err
	}
	if rep.Pending > 0 {
		return fmt.Errorf("%d %s still in the outbox %s", rep.Pending, outboxPlural(rep.Pending, "event", "events"), f.path)
	}
	return nil
}

func outboxList(ob *outbox.Outbox, stdout io.Writer) error {
	pending, err := ob.List()
	if err != nil {
		return err
	}
	dead, err := ob.DeadLetters()
	if err != nil {
		return err
	}
	now := time.Now()
	fmt.Fprintf(stdout, "%d pending %s:\n", len(pending), outboxPlural(len(pending), "event", "events"))
	if len(pending) > 0 {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tAGE\tROUTING KEY\tDEDUP KEY\tATTEMPTS\tNEXT\tLAST")
		for _, e := range pending {
			next := "now"
			switch {
			case e.Sending:
				next = "sending"
			case e.NextAttempt.After(now):
				next = "in " + e.NextAttempt.Sub(now).Round(time.Second).String()
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, outboxAge(now, e.Created), redact.Key(e.RoutingKey),
				outboxQuoteKey(e.DedupKey), e.Attempts, next, outboxLastOutcome(e))
		}
		tw.Flush()
	}
	fmt.Fprintf(stdout, "%d dead %s:\n", len(dead), outboxPlural(len(dead), "letter", "letters"))
	for _, e := range dead {
		fmt.Fprintf(stdout, "  %d  %s ago  routing key %s  dedup key %s  to %s: %s\n", e.ID, outboxAge(now, e.DeadAt),
			redact.Key(e.RoutingKey), outboxQuoteKey(e.DedupKey), redact.URL(e.URL), e.LastReason)
	}
	return nil
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

func outboxDrop(ob *outbox.Outbox, f outboxFlags, ids []string, stdout, stderr io.Writer) error {
	switch {
	case f.dedupKey != "" && len(ids) > 0:
		fmt.Fprintln(stderr, "fluxpd outbox drop: give ids or --dedup-key, not both")
		return errUsage
	case f.dedupKey != "":
		n, err := ob.DropDedupKey(f.dedupKey)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "dropped %d %s with dedup key %q\n", n, outboxPlural(n, "event", "events"), f.dedupKey)
		if n == 0 {
			return fmt.Errorf("no event with dedup key %q in the outbox", f.dedupKey)
		}
		return nil
	case len(ids) == 0:
		fmt.Fprintln(stderr, "fluxpd outbox drop: give the ids to drop (see fluxpd outbox list) or --dedup-key KEY")
		return errUsage
	}
	var missing []string
	for _, s := range ids {
		id, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "fluxpd outbox drop: %q is not an event id\n", s)
			return errUsage
		}
		ok, err := ob.Drop(id)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, s)
			continue
		}
		fmt.Fprintf(stdout, "dropped %d\n", id)
	}
	if len(missing) > 0 {
		return fmt.Errorf("no event with id %s in the outbox", strings.Join(missing, ", "))
	}
	return nil
}

func outboxLastOutcome(e outbox.Entry) string {
	s := e.LastReason
	if e.LastStatus != 0 && !strings.Contains(s, strconv.Itoa(e.LastStatus)) {
		s = fmt.Sprintf("%d %s", e.LastStatus, s)
	}
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "..."
	}
	return s
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

func outboxPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
