package outbox

import "fmt"

// Report is what one Flush did.
type Report struct {
	Sent         int // requests sent
	Delivered    int // events removed after a 2xx
	Rescheduled  int // events that failed and wait for their next attempt
	DeadLettered int // events moved to the dead letters by a final answer
	Expired      int // events dead-lettered for their age
	// Deferred counts due events not tried because their routing key is
	// paced: its probe in this flush, or a send of it, met a 429, a 5xx or
	// no answer, or it is still paced after such a failure in an earlier
	// flush. They wait for the key's next probe.
	Deferred int
	// Busy counts events skipped because another flusher holds them.
	Busy int
	// Pending is the number of pending events left (all keys), counted as
	// PendingCount says.
	Pending      int
	PendingCount Count
	// Locked reports that the flush stopped because another process held
	// the file's lock for longer than Options.LockTimeout.
	Locked bool
}

// Count says how Report.Pending was counted.
type Count int

// How Pending was counted.
const (
	// Counted: read at the end of the flush.
	Counted Count = iota
	// LastRead: the file could not be read at the end; Pending is the
	// number read when the flush started, less the events it removed.
	LastRead
	// Unknown: the file could not be read at all; Pending means nothing.
	Unknown
)

func (r Report) String() string {
	s := fmt.Sprintf("%d sent, %d delivered, %d rescheduled, %d dead-lettered, %d expired, %d deferred, %d held by another flusher",
		r.Sent, r.Delivered, r.Rescheduled, r.DeadLettered, r.Expired, r.Deferred, r.Busy)
	pending := fmt.Sprintf("%d pending", r.Pending)
	switch r.PendingCount {
	case LastRead:
		pending += " when last read"
	case Unknown:
		pending = "how many events wait is unknown"
	}
	switch {
	case r.Locked:
		return s + "; could not take the outbox file's lock, held by another process: " + pending
	case r.PendingCount != Counted:
		return s + "; the outbox file could not be read: " + pending
	}
	return s + "; " + pending
}
