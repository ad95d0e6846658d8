package harness

import (
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// receiver is what a scenario sends to: the minimal Receiver or, to show
// what the choice costs, fluxpd's emulator.
type receiver interface {
	URL() string
	Reset(n int)
	SetLatency(time.Duration)
	Stats() Stats
	Close() error
}

// emulatorReceiver adapts fluxpd's PagerDuty emulator to receiver. The
// emulator checks every event itself and keeps every request; a resolve
// it drops found no open alert, which here means it overtook its trigger.
type emulatorReceiver struct {
	srv     *emulator.Server
	latency time.Duration
}

func startEmulator() (*emulatorReceiver, error) {
	srv, err := emulator.Start("127.0.0.1:0", emulator.Options{})
	if err != nil {
		return nil, err
	}
	return &emulatorReceiver{srv: srv}, nil
}

func (e *emulatorReceiver) URL() string  { return e.srv.EventsURL() }
func (e *emulatorReceiver) Close() error { return e.srv.Close() }

func (e *emulatorReceiver) SetLatency(d time.Duration) {
	e.latency = d
	e.srv.SetLatency(d)
}

// Reset forgets every request and alert; it keeps the latency, which the
// emulator's own Reset would undo.
func (e *emulatorReceiver) Reset(int) {
	e.srv.Reset()
	e.srv.SetLatency(e.latency)
}

func (e *emulatorReceiver) Stats() Stats {
	var s Stats
	keys := make(map[string]bool)
	for _, r := range e.srv.Requests() {
		s.Requests++
		switch r.Verdict {
		case emulator.VerdictAccepted, emulator.VerdictDropped:
			s.Valid++
			keys[r.DedupKey] = true
			if r.Action == emulator.ActionResolve {
				s.Resolves++
			} else {
				s.Triggers++
			}
			if r.Verdict == emulator.VerdictDropped {
				s.OutOfOrder++
			}
		default:
			if len(s.Problems) < maxProblems {
				s.Problems = append(s.Problems, string(r.Verdict)+": "+r.Reason+" "+strings.Join(r.Errors, "; "))
			}
		}
	}
	s.Keys = len(keys)
	return s
}
