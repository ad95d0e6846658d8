package outbox

// A damaged outbox file is an error, never a crash. Open checks the whole
// file with a bounds-checked reader (boltfile.go) before bbolt maps it,
// and every later open checks its header pages and size again. What still
// goes wrong inside bbolt (a panic on a page damaged after Open, or a
// fault reading a mapped file cut short meanwhile: SIGBUS, turned into a
// panic by debug.SetPanicOnFault) is recovered in guard and becomes a
// *DamagedError naming the file.

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

// Errors about the file.
var (
	// ErrDamaged is matched (errors.Is) by a *DamagedError.
	ErrDamaged = errors.New("outbox file is damaged")
	// ErrNotOutbox: the file is a bbolt database of another program.
	ErrNotOutbox = errors.New("not a fluxpd outbox")
)

// DamagedError says that the outbox file cannot be read as it should be,
// what is wrong and how to recover.
type DamagedError struct {
	Path string
	// Problem says what is wrong, for people.
	Problem string
	// Err is the cause, if any: a decoding error, or a recovered panic.
	Err error
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("outbox %s is damaged (%s): move it aside (mv %s %s) and start a fresh one; then `fluxpd outbox salvage %[4]s --outbox %[3]s` re-queues every event that can still be read",
		e.Path, e.Problem, e.Path, e.Path+".damaged")
}

func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

func (e *DamagedError) Unwrap() error { return e.Err }

// guard runs fn, an operation on the bbolt file, turning a panic raised in
// bbolt, or a memory fault, into a *DamagedError; the outbox then refuses
// further operations with it (bbolt's state may be inconsistent). Errors
// fn returns that say the file is damaged (an event that does not decode,
// a meta page bbolt refuses) become a *DamagedError too. Any other panic,
// a bug, is raised again.
func (o *Outbox) guard(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		p := recover()
		if p == nil {
			return
		}
		if !panicFromFile(p) {
			panic(fmt.Sprintf("%v [recovered and raised again; it arose at:\n%s]", p, debug.Stack()))
		}
		err = o.markDamaged(o.panicked("reading it", p))
	}()
	return o.named(fn())
}

// panicked is the damage a recovered panic p of bbolt's, while doing
// what, says.
func (o *Outbox) panicked(what string, p any) *DamagedError {
	problem := fmt.Sprintf("%s failed: %v", what, p)
	if f, ok := p.(interface{ Addr() uintptr }); ok {
		problem = fmt.Sprintf("%s faulted at address %#x, past the end of the file as bbolt mapped it: it was cut short while in use", what, f.Addr())
	}
	return &DamagedError{Path: o.path, Problem: problem, Err: fmt.Errorf("%v", p)}
}

// faulting wraps a transaction function run by bbolt's Batch in a
// goroutine of bbolt's: a memory fault there becomes a panic, which Batch
// recovers and answers by running fn again in the caller's goroutine,
// under guard.
func faulting[T any](fn func(T) error) func(T) error {
	return func(t T) error {
		old := debug.SetPanicOnFault(true)
		defer debug.SetPanicOnFault(old)
		return fn(t)
	}
}

// panicFromFile reports whether p, being recovered, arose from the file:
// a memory fault (a mapped page past the file's end), or a panic raised
// inside bbolt (its assertions, or an index out of range on a damaged
// page). It must be called from the deferred function that recovers.
func panicFromFile(p any) bool {
	if _, ok := p.(interface{ Addr() uintptr }); ok {
		return true // runtime.Error of a fault at an address
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// named turns an error of an operation that says the file is damaged
// into a *DamagedError naming the file.
func (o *Outbox) named(err error) error {
	if err == nil || errors.Is(err, ErrDamaged) {
		return err
	}
	var re *recordError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &re):
		return &DamagedError{Path: o.path, Problem: re.Error(), Err: err}
	case errors.As(err, &se), errors.As(err, &te):
		return &DamagedError{Path: o.path, Problem: "a stored event does not decode: " + err.Error(), Err: err}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return &DamagedError{Path: o.path, Problem: "bbolt refuses it: " + err.Error(), Err: err}
	}
	return err
}

// markDamaged records the first damage met at run time; from then on
// every operation fails with it.
func (o *Outbox) markDamaged(d *DamagedError) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.damaged == nil {
		o.damaged = d
	}
	return o.damaged
}

// lockRetry is how often lockShared tries for the lock, as bbolt's flock
// does.
const lockRetry = 50 * time.Millisecond

// errLockTimeout: lockShared did not have the lock within its timeout.
var errLockTimeout = errors.New("timed out waiting for the file lock")

func lockError(path string, err error, timeout time.Duration) error {
	if errors.Is(err, errLockTimeout) || errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("outbox %s: %w (waited %s for it)", path, ErrLocked, timeout)
	}
	return fmt.Errorf("outbox %s: %w", path, err)
}
