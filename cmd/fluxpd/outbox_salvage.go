package main

// "fluxpd outbox salvage DAMAGED --outbox GOOD": re-queue what can still
// be read from a damaged outbox file.

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

func outboxSalvage(damaged, good string, stdout, stderr io.Writer) error {
	if _, err := os.Stat(damaged); err != nil {
		return fmt.Errorf("salvage: %w", err)
	}
	ob, err := outbox.Open(good, outbox.Options{Log: stderrLine(stderr, "")})
	if err != nil {
		if errors.Is(err, outbox.ErrDamaged) {
			return fmt.Errorf("salvage needs a sound outbox to queue the events in: %w", err)
		}
		return err
	}
	defer ob.Close()
	rep, err := outbox.Salvage(damaged, ob)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Salvaged from %s into %s: %d pending %s (queued in their order) and %d dead %s.\n",
		damaged, good, rep.Pending, outboxPlural(rep.Pending, "event", "events"), rep.Dead, outboxPlural(rep.Dead, "letter", "letters"))
	if len(rep.Lost) > 0 {
		fmt.Fprintln(stdout, "Could not be read:")
		for _, l := range rep.Lost {
			fmt.Fprintf(stdout, "  %s: %s\n", l.What, l.Reason)
		}
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stdout, "Warning: %s\n", w)
	}
	switch {
	case len(rep.Lost) > 0:
		return fmt.Errorf("salvage of %s is incomplete: %d %s could not be read (listed above)", damaged, len(rep.Lost), outboxPlural(len(rep.Lost), "part", "parts"))
	case rep.Scanned:
		return fmt.Errorf("salvage of %s cannot tell whether events were lost: its B-tree could not be read, and its pages were scanned (see the warning above)", damaged)
	}
	return nil
}
