package outbox

import (
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SalvageReport is what Salvage recovered from a damaged file, and what
// it could not.
type SalvageReport struct {
	// Pending counts the pending events re-queued, in the order of their
	// IDs in the damaged file; Dead the dead letters kept as dead letters.
	Pending, Dead int
	// Lost lists what could not be read, with the reasons.
	Lost []Loss
	// Scanned reports that the file's B-tree could not be read from its
	// root: the events were found by scanning its pages (see Warnings).
	Scanned bool
	// Warnings say what else to check.
	Warnings []string
}

// Loss is a part of the damaged file that could not be read.
type Loss struct {
	// What names the events lost, as far as the file tells: "pending
	// event #12", "the pending events #41 to #80", "page 9".
	What   string
	Reason string
}

// Complete reports whether every event was recovered, as far as the file
// tells.
func (r SalvageReport) Complete() bool { return len(r.Lost) == 0 && !r.Scanned }

// Salvage reads every event that can still be read from the damaged
// outbox file at damaged, without bbolt and without writing to it, and
// queues them in o: pending events as pending, in the order of their IDs,
// with their age, attempts and last reason; dead letters as dead letters.
// New IDs are assigned. It reports what could not be read. The error is
// for a file that cannot be opened or an o that cannot store the events;
// a damaged file is not an error.
//
// When the file's B-tree cannot be read from its root, Salvage scans every
// page for events. Pages the file's free-page list names are skipped when
// it can be read; else older copies of events since delivered or dropped
// may come back, and the report says so.
func Salvage(damaged string, o *Outbox) (SalvageReport, error) {
	if same, err := sameFile(damaged, o.path); err != nil || same {
		if err == nil {
			err = fmt.Errorf("salvage: %s is the outbox to salvage into; give another file with --outbox", damaged)
		}
		return SalvageReport{}, err
	}
	f, err := os.Open(damaged)
	if err != nil {
		return SalvageReport{}, fmt.Errorf("salvage: %w", err)
	}
	defer f.Close()
	if err := lockShared(f, o.opts.LockTimeout); err != nil {
		return SalvageReport{}, lockError(damaged, err, o.opts.LockTimeout)
	}
	fi, err := f.Stat()
	if err != nil {
		return SalvageReport{}, fmt.Errorf("salvage: %w", err)
	}
	s := &salvager{r: f, size: fi.Size(), found: map[uint64]*record{}}
	s.read()
	recs := s.records()
	rep := SalvageReport{Lost: s.lost, Scanned: s.scanned, Warnings: s.warnings}
	behind, err := o.importRecords(recs, &rep)
	if err != nil {
		return rep, fmt.Errorf("salvage: %d events were read from %s, but could not be queued: %w", len(recs), damaged, err)
	}
	if behind > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d salvaged %s queued behind events for the same alerts that were already waiting in %s: they will be sent after them; check the order with fluxpd outbox list",
			behind, plural(behind, "event is", "events are"), o.path))
	}
	return rep, nil
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, fmt.Errorf("salvage: %w", err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, nil // not created yet: not the same
	}
	return os.SameFile(fa, fb), nil
}

// importRecords stores recs, in order, under new IDs, and returns how many
// pending ones joined a group that already had pending events.
func (o *Outbox) importRecords(recs []*record, rep *SalvageReport) (behind int, err error) {
	err = o.update(func(tx *bolt.Tx) error {
		behind, rep.Pending, rep.Dead = 0, 0, 0
		waiting := map[string]bool{} // groups with events in o before the import
		for _, old := range recs {
			r := *old
			if !r.Dead && r.DedupKey != "" {
				g := groupKey(r.RoutingKey, r.DedupKey)
				w, ok := waiting[string(g)]
				if !ok {
					k, _ := tx.Bucket(bucketGroups).Cursor().Seek(g)
					w = k != nil && hasPrefix(k, g)
					waiting[string(g)] = w
				}
				if w {
					behind++
				}
			}
			id, err := tx.Bucket(bucketPending).NextSequence()
			if err != nil {
				return err
			}
			r.ID, r.LeaseOwner, r.LeaseUntil, r.Sending, r.Behind = id, "", time.Time{}, false, 0
			if err := putRecord(tx, &r); err != nil {
				return err
			}
			if r.Dead {
				rep.Dead++
			} else {
				rep.Pending++
			}
		}
		return nil
	})
	return behind, err
}
