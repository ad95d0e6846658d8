package main

import (
	"cmp"
	"slices"
)

// The parts of the critical path, in the order printed.
const (
	pathSenderRunning  = "sender running (split by the CPU profile)"
	pathSenderRunnable = "sender waiting for a processor"
	pathSenderSyscall  = "sender in system calls"
	pathHTTPRunnable   = "exchange waiting for a processor (its goroutines runnable)"
	pathIdle           = "exchange in the kernel or waking up (none of its goroutines running)"
	pathNoSender       = "no sender yet or any more (query start and end)"
)

// pathLabels lists every part, the exchange's goroutines' included.
var pathLabels = []string{
	pathSenderRunning, pathSenderRunnable, pathSenderSyscall,
	"HTTP transport: writeLoop running", "HTTP transport: writeLoop in system calls",
	"receiver connection running", "receiver connection in system calls",
	"HTTP transport: readLoop running", "HTTP transport: readLoop in system calls",
	pathHTTPRunnable, pathIdle, pathNoSender,
}

// exchangeRoles are the goroutines of the HTTP exchange the sender waits
// for.
var exchangeRoles = []string{"HTTP transport: writeLoop", "receiver connection", "HTTP transport: readLoop"}

// criticalPath divides the region [start, end] among the parts of
// pathLabels: while the sender runs, is runnable or in a system call,
// that; while it waits (for the answer, mostly), the exchange's
// goroutines that run or are in system calls share the time equally, or
// failing them the exchange waits for a processor, or failing that for
// the kernel (loopback, wake-ups). The parts sum to the region.
func criticalPath(ts []transit, start, end int64, sender int, gs []*goroutine) map[string]int64 {
	role := map[int]string{}
	for _, g := range gs {
		if slices.Contains(exchangeRoles, g.role) {
			role[g.id] = g.role
		}
	}
	slices.SortStableFunc(ts, func(a, b transit) int { return cmp.Compare(a.t, b.t) })
	state := map[int]string{}
	out := map[string]int64{}
	last := start
	for i := 0; i <= len(ts); i++ {
		t := end
		if i < len(ts) {
			t = ts[i].t
		}
		if d := min(t, end) - max(last, start); d > 0 {
			attribute(out, d, state, sender, role)
		}
		last = max(last, t)
		if i < len(ts) {
			state[ts[i].g] = ts[i].to
		}
	}
	return out
}

// attribute gives d nanoseconds to the part the goroutines' states make
// critical.
func attribute(out map[string]int64, d int64, state map[int]string, sender int, role map[int]string) {
	switch state[sender] {
	case "Running":
		out[pathSenderRunning] += d
		return
	case "Runnable":
		out[pathSenderRunnable] += d
		return
	case "Syscall":
		out[pathSenderSyscall] += d
		return
	case "Waiting":
	default:
		out[pathNoSender] += d
		return
	}
	var busy []string
	runnable := false
	for id, r := range role {
		switch state[id] {
		case "Running":
			busy = append(busy, r+" running")
		case "Syscall":
			busy = append(busy, r+" in system calls")
		case "Runnable":
			runnable = true
		}
	}
	switch {
	case len(busy) > 0:
		for _, b := range busy {
			out[b] += d / int64(len(busy))
		}
	case runnable:
		out[pathHTTPRunnable] += d
	default:
		out[pathIdle] += d
	}
}
