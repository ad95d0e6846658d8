// Package outbox is a durable, per-key-ordered queue of PagerDuty events
// that could not be delivered, stored in a bbolt file and redelivered by a
// flusher once PagerDuty answers again.
//
// An event goes in when its delivery ended with a retryable outcome (see
// Queueable), or when its (routing key, dedup key) already has pending
// events (see Pending), so that a resolve never overtakes its queued
// trigger. Enqueue returns only once the event is committed and fsynced.
//
// Flush sends pending events oldest first, in order per (routing key,
// dedup key), groups independent of each other and concurrent within a
// bound. A 2xx removes the event; a final answer such as 400 moves it to
// the dead letters with PagerDuty's reason; a 429, 5xx or transport
// failure reschedules it with backoff on PagerDuty's scale (30 s doubling
// to 10 min, Retry-After honoured). Events older than Options.MaxAge are
// dead-lettered as expired. Delivery is at least once: an event whose 2xx
// was received but not yet recorded when the process died is sent again.
//
// Several processes may share one file. bbolt locks the file for the
// whole time it is open, so an Outbox opens it only for the length of each
// operation (one short transaction) and closes it when no operation of the
// process is using it; HTTP requests are made with the file closed. A
// process waiting for the lock gives up after Options.LockTimeout with an
// error naming the path (ErrLocked). Options.KeepOpen holds the file open
// from Open to Close instead, for a host that is the file's only user.
// Entries being sent are claimed in a transaction with a lease, so two
// flushers never send the same event at once.
//
// The package does not depend on Flux.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// Defaults for zero Options fields.
const (
	DefaultMaxAge      = 24 * time.Hour
	DefaultLockTimeout = 5 * time.Second
	// DefaultBaseDelay and DefaultMaxDelay are the redelivery backoff:
	// PagerDuty suggests retrying a 429 "30 seconds apart" and "a backoff
	// of a few minutes".
	// DefaultFlushInterval is how often a flush loop (RunWith) looks for
	// due events unless told otherwise.
	DefaultFlushInterval = 10 * time.Second
	DefaultBaseDelay     = 30 * time.Second
	DefaultMaxDelay      = 10 * time.Minute
	DefaultConcurrency   = 16
	// DefaultLeaseTTL bounds how long an event claimed by a flusher is
	// kept from other flushers; it must exceed one send. A lease held by
	// a process of this host that no longer exists is void at once.
	DefaultLeaseTTL = 2 * time.Minute
	// MaxRetryAfter caps a Retry-After answer.
	MaxRetryAfter = time.Hour
)

// ReasonExpired starts the reason of an event dead-lettered for its age.
const ReasonExpired = "expired"

// Errors.
var (
	// ErrLocked: another process held the file lock for longer than
	// Options.LockTimeout.
	ErrLocked = errors.New("outbox file is locked by another process")
	// ErrClosed: the Outbox was closed.
	ErrClosed = errors.New("outbox is closed")
)

// Options configures an Outbox. Zero fields take the Default* values.
type Options struct {
	// MaxAge is how long an event may wait; older events are
	// dead-lettered as expired.
	MaxAge time.Duration
	// LockTimeout bounds the wait for the file lock held by another
	// process, on Open and on every operation.
	LockTimeout time.Duration
	// KeepOpen holds the file (and its lock) open from Open to Close.
	// Faster, but no other process can use the file meanwhile.
	KeepOpen bool
	// BaseDelay and MaxDelay shape the redelivery backoff: BaseDelay
	// after the first failed redelivery, doubling, capped at MaxDelay,
	// each wait stretched by up to 20% of jitter.
	BaseDelay, MaxDelay time.Duration
	// LeaseTTL is how long a claimed event is reserved for its flusher.
	LeaseTTL time.Duration
	// Sender sends events for Flush and Run unless FlushOptions.Sender is
	// set; nil means DefaultSender().
	Sender Sender
	// Concurrency bounds the groups sent at once by Flush and Run.
	Concurrency int
	// Log receives one line per outcome (queued, delivered, rescheduled,
	// dead-lettered, expired), routing keys masked. Nil discards them.
	Log func(msg string)
	// Warn receives warnings, such as a file readable by others; nil
	// means Log.
	Warn func(msg string)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand returns values in [0, 1) for jitter; nil means math/rand/v2.
	Rand func() float64
}

func (o Options) withDefaults() Options {
	pos := func(v, d time.Duration) time.Duration {
		if v <= 0 {
			return d
		}
		return v
	}
	o.MaxAge = pos(o.MaxAge, DefaultMaxAge)
	o.LockTimeout = pos(o.LockTimeout, DefaultLockTimeout)
	o.BaseDelay = pos(o.BaseDelay, DefaultBaseDelay)
	o.MaxDelay = pos(o.MaxDelay, DefaultMaxDelay)
	o.LeaseTTL = pos(o.LeaseTTL, DefaultLeaseTTL)
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Log == nil {
		o.Log = func(string) {}
	}
	if o.Warn == nil {
		o.Warn = o.Log
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

// Entry is one queued event.
type Entry struct {
	// ID is assigned by Enqueue, increasing: a later event has a larger ID.
	ID uint64 `json:"id"`
	// Created is when the event was first tried or queued; MaxAge counts
	// from it. Zero means now.
	Created time.Time `json:"created"`
	// URL is where the event is posted.
	URL string `json:"url"`
	// RoutingKey and DedupKey order the events: those with the same pair
	// are sent one at a time in ID order. An empty DedupKey makes the
	// event a group of its own (PagerDuty gives it a new alert anyway).
	RoutingKey string `json:"routing_key"`
	DedupKey   string `json:"dedup_key,omitempty"`
	// Body is the exact JSON resent.
	Body []byte `json:"body"`
	// LastStatus is the HTTP status of the last attempt, 0 when none
	// answered; LastReason says what happened (PagerDuty's message, the
	// transport error, or why the event was queued). Keys are masked.
	LastStatus int    `json:"last_status,omitempty"`
	LastReason string `json:"last_reason,omitempty"`
	// Attempts counts the requests sent for the event, before it was
	// queued included; Redeliveries counts the flusher's failed tries,
	// which set the backoff.
	Attempts     int `json:"attempts,omitempty"`
	Redeliveries int `json:"redeliveries,omitempty"`
	// NextAttempt is when the flusher may try the event again. Zero on
	// Enqueue means now for an event never sent (Attempts 0), and now
	// plus BaseDelay for one that failed.
	NextAttempt time.Time `json:"next_attempt"`

	// Dead is set on dead letters, with DeadAt; LastReason is the reason
	// (PagerDuty's, or "expired ...").
	Dead   bool      `json:"dead,omitempty"`
	DeadAt time.Time `json:"dead_at,omitzero"`
	// Sending reports, in List, that a flusher holds the event now.
	Sending bool `json:"-"`
	// Behind is, in List, the ID of the event this one waits behind: the
	// first pending event of its (routing key, dedup key), its group's
	// head, which must be delivered or dead-lettered first. 0 for a head.
	Behind uint64 `json:"-"`
}

// record is an Entry as stored, with its lease.
type record struct {
	Entry
	LeaseOwner string    `json:"lease_owner,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
}

// Bucket names.
var (
	bucketPending = []byte("pending") // id -> record
	bucketDead    = []byte("dead")    // id -> record
	bucketGroups  = []byte("groups")  // groupKey+id -> nil, for keyed events
)

// Outbox is a durable event queue in one bbolt file. It is safe for
// concurrent use, and several processes may share its file.
type Outbox struct {
	path  string
	opts  Options
	owner string // lease owner: host/pid/random

	mu     sync.Mutex // guards db, refs, closed, damaged
	db     *bolt.DB
	refs   int
	closed bool
	// damaged is the damage an operation met (see guard); every later
	// operation fails with it.
	damaged *DamagedError
}

// Open opens the outbox file at path, creating it with mode 0600 if it
// does not exist. An existing file readable by group or others draws a
// warning (it holds routing keys).
//
// An existing file is checked whole before bbolt maps it: its header
// pages, its size, every page of its B-trees, its free-page list and every
// stored event. A damaged file is a *DamagedError (errors.Is ErrDamaged)
// naming the file, what is wrong and how to recover (see OpenOrQuarantine
// and Salvage); another program's bbolt file is an ErrNotOutbox error.
func Open(path string, opts Options) (*Outbox, error) {
	if path == "" {
		return nil, errors.New("outbox: no file given")
	}
	o := &Outbox{path: path, opts: opts.withDefaults()}
	o.owner = newOwner()
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return nil, fmt.Errorf("outbox %s is a directory, not a file", path)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			o.opts.Warn(fmt.Sprintf("outbox: warning: %s has mode %#o and holds routing keys; restrict it with chmod 600", path, perm))
		}
		warning, err := verifyFile(path, o.opts.LockTimeout, true)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if warning != "" {
			o.opts.Warn(fmt.Sprintf("outbox: warning: %s: %s", path, warning))
		}
	}
	err := o.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketPending, bucketDead, bucketGroups} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if opts.KeepOpen {
		if _, err := o.acquire(); err != nil { // the reference held until Close
			return nil, err
		}
	}
	return o, nil
}

// Path returns the file's path.
func (o *Outbox) Path() string { return o.path }

// Close releases the file. Operations after Close fail with ErrClosed.
func (o *Outbox) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	if o.db == nil {
		return nil
	}
	err := o.db.Close()
	o.db = nil
	return err
}

// Enqueue stores e and returns its ID once it is committed and synced.
func (o *Outbox) Enqueue(e Entry) (uint64, error) {
	ids, err := o.EnqueueBatch([]Entry{e})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// EnqueueBatch stores entries in one transaction, in order, and returns
// their IDs once committed and synced.
func (o *Outbox) EnqueueBatch(entries []Entry) ([]uint64, error) {
	now := o.opts.Now()
	for _, e := range entries {
		if e.URL == "" || e.RoutingKey == "" || len(e.Body) == 0 {
			return nil, errors.New("outbox: an entry needs a URL, a routing key and a body")
		}
	}
	ids := make([]uint64, len(entries))
	err := o.update(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for i, e := range entries {
			id, err := p.NextSequence()
			if err != nil {
				return err
			}
			r := record{Entry: e}
			r.ID, r.Dead, r.DeadAt, r.Sending = id, false, time.Time{}, false
			if r.Created.IsZero() {
				r.Created = now
			}
			if r.NextAttempt.IsZero() {
				r.NextAttempt = now
				if r.Attempts > 0 {
					r.NextAttempt = now.Add(o.jitter(o.opts.BaseDelay))
				}
			}
			if err := putRecord(tx, &r); err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: cannot queue the event: %w", err)
	}
	for i, e := range entries {
		why := ""
		if e.LastReason != "" {
			why = ": " + e.LastReason
		}
		o.logf("queued #%d %s%s", ids[i], describe(e), why)
	}
	return ids, nil
}

// Pending reports whether events with this routing key and dedup key are
// queued (pending, not dead), in which case a new event for them must be
// queued behind them rather than sent. It is always false for an empty
// dedup key. If the file cannot be read it reports false, after a warning,
// so that the event is sent rather than held; use HasPending for the error.
func (o *Outbox) Pending(routingKey, dedupKey string) bool {
	ok, err := o.HasPending(routingKey, dedupKey)
	if err != nil {
		o.opts.Warn(fmt.Sprintf("outbox: warning: cannot tell whether events are queued for routing key %s: %v", redact.Key(routingKey), err))
	}
	return ok
}

// HasPending is Pending with the error.
func (o *Outbox) HasPending(routingKey, dedupKey string) (bool, error) {
	if dedupKey == "" {
		return false, nil
	}
	prefix := groupKey(routingKey, dedupKey)
	found := false
	err := o.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketGroups).Cursor().Seek(prefix)
		found = k != nil && hasPrefix(k, prefix)
		return nil
	})
	return found, err
}

// List returns the pending events, oldest first, each with Sending and
// Behind set.
func (o *Outbox) List() ([]Entry, error) {
	entries, err := o.list(bucketPending)
	heads := map[string]uint64{}
	for i := range entries {
		r := record{Entry: entries[i]}
		if head, ok := heads[r.group()]; ok {
			entries[i].Behind = head
		} else {
			heads[r.group()] = r.ID
		}
	}
	return entries, err
}

// DeadLetters returns the dead letters, oldest first, each with its reason
// in LastReason.
func (o *Outbox) DeadLetters() ([]Entry, error) {
	return o.list(bucketDead)
}

func (o *Outbox) list(bucket []byte) ([]Entry, error) {
	now := o.opts.Now()
	var out []Entry
	err := o.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			r, err := decodeRecord(bucket, k, v)
			if err != nil {
				return err
			}
			r.Sending = r.LeaseOwner != "" && now.Before(r.LeaseUntil)
			out = append(out, r.Entry)
			return nil
		})
	})
	return out, err
}

// Stats is a summary of the outbox.
type Stats struct {
	Pending int
	Dead    int
	// Sending counts pending events a flusher holds now.
	Sending int
	// Oldest is the age of the oldest pending event, 0 when none.
	Oldest time.Duration
	// NextAttempt is the earliest time a pending event may be tried:
	// the earliest next attempt among the groups' heads (the first
	// pending event of each (routing key, dedup key); the events behind a
	// head wait for it, whatever their own time says). Zero when none is
	// pending.
	NextAttempt time.Time
}

// Stats summarizes the outbox.
func (o *Outbox) Stats() (Stats, error) {
	now := o.opts.Now()
	var s Stats
	err := o.view(func(tx *bolt.Tx) error {
		s = Stats{Dead: tx.Bucket(bucketDead).Stats().KeyN}
		seen := map[string]bool{}
		return tx.Bucket(bucketPending).ForEach(func(k, v []byte) error {
			r, err := decodeRecord(bucketPending, k, v)
			if err != nil {
				return err
			}
			s.Pending++
			if r.LeaseOwner != "" && now.Before(r.LeaseUntil) {
				s.Sending++
			}
			if age := now.Sub(r.Created); age > s.Oldest {
				s.Oldest = age
			}
			if g := r.group(); !seen[g] {
				seen[g] = true
				if s.NextAttempt.IsZero() || r.NextAttempt.Before(s.NextAttempt) {
					s.NextAttempt = r.NextAttempt
				}
			}
			return nil
		})
	})
	return s, err
}

// Drop removes the event id, pending or dead, and reports whether it was
// there.
func (o *Outbox) Drop(id uint64) (bool, error) {
	found := false
	err := o.update(func(tx *bolt.Tx) error {
		found = false
		for _, b := range [][]byte{bucketPending, bucketDead} {
			r, err := getRecord(tx.Bucket(b), id)
			if err != nil {
				return err
			}
			if r != nil {
				found = true
				return deleteRecord(tx, b, r)
			}
		}
		return nil
	})
	if found {
		o.logf("dropped #%d", id)
	}
	return found, err
}

// DropDedupKey removes every event, pending or dead, with this dedup key
// (under any routing key) and returns how many it removed.
func (o *Outbox) DropDedupKey(dedupKey string) (int, error) {
	if dedupKey == "" {
		return 0, errors.New("outbox: the dedup key to drop is empty")
	}
	n := 0
	err := o.update(func(tx *bolt.Tx) error {
		n = 0
		for _, b := range [][]byte{bucketPending, bucketDead} {
			var doomed []*record
			err := tx.Bucket(b).ForEach(func(k, v []byte) error {
				r, err := decodeRecord(b, k, v)
				if err != nil {
					return err
				}
				if r.DedupKey == dedupKey {
					doomed = append(doomed, r)
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, r := range doomed {
				if err := deleteRecord(tx, b, r); err != nil {
					return err
				}
			}
			n += len(doomed)
		}
		return nil
	})
	if n > 0 {
		o.logf("dropped %d events with dedup key %q", n, dedupKey)
	}
	return n, err
}

type ctxKey struct{}

// NewContext returns a copy of ctx carrying ob.
func NewContext(ctx context.Context, ob *Outbox) context.Context {
	return context.WithValue(ctx, ctxKey{}, ob)
}

// FromContext returns the Outbox carried by ctx, or nil.
func FromContext(ctx context.Context) *Outbox {
	ob, _ := ctx.Value(ctxKey{}).(*Outbox)
	return ob
}

func (o *Outbox) jitter(d time.Duration) time.Duration {
	r := o.opts.Rand()
	if r < 0 || r >= 1 {
		r = 0
	}
	return d + time.Duration(0.2*r*float64(d))
}

func (o *Outbox) logf(format string, args ...any) {
	o.opts.Log("outbox: " + fmt.Sprintf(format, args...))
}

// describe names an entry for logs, the routing key masked.
func describe(e Entry) string {
	if e.DedupKey == "" {
		return fmt.Sprintf("(routing key %s, no dedup key)", redact.Key(e.RoutingKey))
	}
	return fmt.Sprintf("(routing key %s, dedup key %q)", redact.Key(e.RoutingKey), redact.String(e.DedupKey, e.RoutingKey))
}
