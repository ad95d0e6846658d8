package outbox

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// A damaged file is moved aside to NAME + quarantineSuffix + the time in
// UTC as quarantineTime lays it out: NAME.damaged-20261204T220000Z.
const (
	quarantineSuffix = ".damaged-"
	quarantineTime   = "20060102T150405Z"
	// maxQuarantines bounds the names tried when files moved aside in
	// the same second already exist (NAME.damaged-TIME-2, -3, ...).
	maxQuarantines = 100
)

// Quarantine says that a damaged outbox file was moved aside and a fresh
// one started in its place.
type Quarantine struct {
	// Path is the outbox's file, now a fresh one; MovedTo is where the
	// damaged file went.
	Path, MovedTo string
	// Damage is what was wrong with it.
	Damage *DamagedError
}

// String says what happened and how to recover the damaged file's events,
// for the host's log (at error level: events may be lost).
func (q *Quarantine) String() string {
	return fmt.Sprintf("outbox %s is damaged (%s): it was moved aside to %s and a fresh outbox started at %s; `fluxpd outbox salvage %s --outbox %s` re-queues every event that can still be read from it",
		q.Path, q.Damage.Problem, q.MovedTo, q.Path, q.MovedTo, q.Path)
}

// OpenOrQuarantine opens the outbox at path as Open does. If the file is
// damaged (a *DamagedError), it moves it aside to path.damaged-TIME (TIME
// from Options.Now, in UTC) and opens a fresh outbox at path, saying so in
// q. It is for long-running hosts, which must keep running (and queueing)
// on a damaged file: Salvage recovers the moved file's events later. Any
// other error of Open (a locked file, a directory, another program's
// bbolt file) is returned as it is, and nothing is moved.
func OpenOrQuarantine(path string, opts Options) (ob *Outbox, q *Quarantine, err error) {
	ob, err = Open(path, opts)
	var d *DamagedError
	if !errors.As(err, &d) {
		return ob, nil, err
	}
	moved, err := moveAside(path, opts.withDefaults().Now())
	if err != nil {
		return nil, nil, fmt.Errorf("%w; moving it aside failed: %v", d, err)
	}
	q = &Quarantine{Path: path, MovedTo: moved, Damage: d}
	ob, err = Open(path, opts)
	if err != nil {
		return nil, q, fmt.Errorf("outbox %s was damaged and moved aside to %s, but a fresh one cannot be opened: %w", path, moved, err)
	}
	return ob, q, nil
}

// moveAside renames path to a quarantine name no file has yet.
func moveAside(path string, now time.Time) (string, error) {
	base := path + quarantineSuffix + now.UTC().Format(quarantineTime)
	for i := 1; i <= maxQuarantines; i++ {
		to := base
		if i > 1 {
			to = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := os.Lstat(to); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		return to, os.Rename(path, to)
	}
	return "", fmt.Errorf("%s and %d more names like it are taken", base, maxQuarantines-1)
}
