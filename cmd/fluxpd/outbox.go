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
	"time"

	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

const outboxUsage = `Usage: fluxpd outbox COMMAND [flags]

Inspects and drains the outbox of PagerDuty events waiting for redelivery
(routing keys are shown masked).

Commands:
  list                      pending events (action, summary, age, attempts, next
                            attempt, last reason), then dead letters with the reason
  list --dead               dead letters only
  stats                     counts, age of the oldest event, next attempt
  flush                     try every pending event now; exits 3 if it dead-letters
                            any (PagerDuty refused them, or they expired), 1 if
                            events remain
  flush --watch             keep flushing on the backoff schedule until interrupted
  drop ID...                remove events (pending or dead) by id
  drop --dedup-key KEY      remove every event with this dedup key
  salvage DAMAGED           re-queue every event that can still be read from the
                            damaged outbox file DAMAGED into the --outbox file (created
                            if missing); exits 1 if anything could not be read

Flags:
  --outbox PATH             the outbox file (default $FLUXPD_OUTBOX)
`

type outboxFlags struct {
	path     string
	watch    bool
	interval time.Duration
	dedupKey string
	dead     bool
}

// outboxCommand implements "fluxpd outbox".
func outboxCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f outboxFlags
	fs := flag.NewFlagSet("fluxpd outbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.path, "outbox", "", "the outbox file (default $"+host.OutboxEnv+")")
	fs.BoolVar(&f.watch, "watch", false, "flush: keep running, following the backoff schedule, until interrupted")
	fs.DurationVar(&f.interval, "interval", outbox.DefaultFlushInterval, "flush --watch: how often to look for due events")
	fs.StringVar(&f.dedupKey, "dedup-key", "", "drop: remove every event with this dedup key")
	fs.BoolVar(&f.dead, "dead", false, "list: the dead letters only")
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
	if err := checkOutboxArgs(sub, rest, stderr); err != nil {
		return err
	}
	if f.path == "" {
		f.path = os.Getenv(host.OutboxEnv)
	}
	if f.path == "" {
		fmt.Fprintf(stderr, "fluxpd outbox: no outbox file: give --outbox PATH or set $%s\n", host.OutboxEnv)
		return errUsage
	}
	if sub == "salvage" {
		return outboxSalvage(rest[0], f.path, stdout, stderr)
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
		return outboxList(ob, f.dead, stdout)
	case "stats":
		return outboxStats(ob, stdout)
	case "drop":
		return outboxDrop(ob, f, rest, stdout, stderr)
	}
	return outboxFlush(ctx, ob, f, stdout)
}

// checkOutboxArgs checks the command and the number of its arguments.
func checkOutboxArgs(sub string, rest []string, stderr io.Writer) error {
	switch sub {
	case "list", "stats", "flush", "drop":
		if sub != "drop" && len(rest) > 0 {
			fmt.Fprintf(stderr, "fluxpd outbox %s takes no arguments; got %q\n", sub, rest[0])
			return errUsage
		}
		return nil
	case "salvage":
		if len(rest) != 1 {
			fmt.Fprintln(stderr, "fluxpd outbox salvage takes one argument, the damaged file: fluxpd outbox salvage DAMAGED --outbox GOOD")
			return errUsage
		}
		return nil
	}
	fmt.Fprintf(stderr, "fluxpd outbox: unknown command %q\n\n%s", sub, outboxUsage)
	return errUsage
}

// outboxFlush flushes once, every pending event, or with --watch on the
// schedule until ctx ends.
func outboxFlush(ctx context.Context, ob *outbox.Outbox, f outboxFlags, stdout io.Writer) error {
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
	if dead := rep.DeadLettered + rep.Expired; dead > 0 {
		return errFlushDeadLettered{rep: rep, path: f.path}
	}
	if rep.Pending > 0 {
		return fmt.Errorf("%d %s still in the outbox %s", rep.Pending, outboxPlural(rep.Pending, "event", "events"), f.path)
	}
	return nil
}

// errFlushDeadLettered ends a flush that dead-lettered events: they will
// not be sent again. fluxpd exits 3 for it, as for a run whose events
// were not accepted (it matches errNotAccepted).
type errFlushDeadLettered struct {
	rep  outbox.Report
	path string
}

func (e errFlushDeadLettered) Error() string {
	r := e.rep
	dead := r.DeadLettered + r.Expired
	s := fmt.Sprintf("the flush dead-lettered %d %s (%d refused by PagerDuty, %d expired): %s not be sent again; see them and why with fluxpd outbox list --dead --outbox %s, and remove them with fluxpd outbox drop ID",
		dead, outboxPlural(dead, "event", "events"), r.DeadLettered, r.Expired, outboxPlural(dead, "it will", "they will"), e.path)
	if r.Pending > 0 {
		s += fmt.Sprintf("; %d %s still waiting", r.Pending, outboxPlural(r.Pending, "event is", "events are"))
	}
	return s
}

// As lets errors.As match errNotAccepted, for fluxpd's exit code.
func (e errFlushDeadLettered) As(target any) bool {
	if t, ok := target.(*errNotAccepted); ok {
		*t = errNotAccepted{dead: e.rep.DeadLettered + e.rep.Expired}
		return true
	}
	return false
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

func outboxPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
