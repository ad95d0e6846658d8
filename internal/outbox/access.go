package outbox

// Access to the bbolt file: each operation opens it (unless KeepOpen),
// runs one transaction under guard, and closes it when no operation of
// the process uses it.

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// acquire returns the open database, opening it if this process has no
// operation in progress.
func (o *Outbox) acquire() (*bolt.DB, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil, ErrClosed
	}
	if o.damaged != nil {
		return nil, o.damaged
	}
	if o.db == nil {
		db, err := o.openDB()
		if err != nil {
			var d *DamagedError
			if errors.As(err, &d) && d.Err != nil { // bbolt panicked or faulted
				o.damaged = d
			}
			return nil, err
		}
		db.MaxBatchDelay = 2 * time.Millisecond
		o.db = db
	}
	o.refs++
	return o.db, nil
}

// openDB opens the file with bbolt, after checking its header pages and
// size (a file cut short since Open would make bbolt fault), within one
// LockTimeout in all.
func (o *Outbox) openDB() (db *bolt.DB, err error) {
	deadline := time.Now().Add(o.opts.LockTimeout)
	if _, err := verifyFile(o.path, o.opts.LockTimeout, false); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if p := recover(); p != nil {
			if !panicFromFile(p) {
				panic(p)
			}
			db, err = nil, o.panicked("opening it", p)
		}
	}()
	// bbolt waits forever for a zero Timeout: leave it a moment at least.
	db, err = bolt.Open(o.path, 0o600, &bolt.Options{Timeout: max(time.Until(deadline), lockRetry)})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, lockError(o.path, err, o.opts.LockTimeout)
		}
		if d := o.named(err); errors.Is(d, ErrDamaged) {
			return nil, d
		}
		return nil, fmt.Errorf("outbox %s: %w", o.path, err)
	}
	return db, nil
}

// release undoes acquire, closing the file when unused.
func (o *Outbox) release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refs--
	if o.refs == 0 && o.db != nil && !o.opts.KeepOpen {
		_ = o.db.Close()
		o.db = nil
	}
}

// update runs fn in a read-write transaction, under guard.
func (o *Outbox) update(fn func(*bolt.Tx) error) error {
	return o.guard(func() error {
		db, err := o.acquire()
		if err != nil {
			return err
		}
		defer o.release()
		return db.Update(fn)
	})
}

// batch is update for concurrent callers: their transactions may be
// combined into one commit. fn may run more than once.
func (o *Outbox) batch(fn func(*bolt.Tx) error) error {
	return o.guard(func() error {
		db, err := o.acquire()
		if err != nil {
			return err
		}
		defer o.release()
		return db.Batch(faulting(fn))
	})
}

// view runs fn in a read-only transaction, under guard.
func (o *Outbox) view(fn func(*bolt.Tx) error) error {
	return o.guard(func() error {
		db, err := o.acquire()
		if err != nil {
			return err
		}
		defer o.release()
		return db.View(fn)
	})
}
