package host

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// Log is where a long-running host writes fluxpd's lines: the server's
// logger once it exists, standard error before. Its zero value writes to
// standard error. Every line it is given has keys masked already
// (Failure.String, Note.String and the outbox mask what they say).
type Log struct {
	mu   sync.Mutex
	to   *LogFuncs
	held []string // error lines written before the logger existed
	// Stderr is where lines go before SetLogger; nil means os.Stderr.
	Stderr io.Writer
}

// LogFuncs write one line each at a level. Error, for what needs an
// operator (an event lost, a damaged outbox moved aside), may be nil:
// Warn then writes those lines.
type LogFuncs struct {
	Info, Warn, Error func(msg string)
}

// SetLogger sends the lines to l from now on, and the error lines written
// before to l too: the server's log then holds them, wherever standard
// error went.
func (g *Log) SetLogger(l LogFuncs) {
	if l.Error == nil {
		l.Error = l.Warn
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.to = &l
	for _, msg := range g.held {
		l.Error(msg)
	}
	g.held = nil
}

// Info, Warn and Error write one line at their level.
func (g *Log) Info(msg string) { g.write(msg, func(l *LogFuncs) func(string) { return l.Info }, "") }
func (g *Log) Warn(msg string) { g.write(msg, func(l *LogFuncs) func(string) { return l.Warn }, "") }

// Error writes a line that needs an operator. Before the logger exists it
// goes to standard error at once (the server may never start) and to the
// logger once SetLogger gives it.
func (g *Log) Error(msg string) {
	g.write(msg, func(l *LogFuncs) func(string) { return l.Error }, "error: ")
}

func (g *Log) write(msg string, level func(*LogFuncs) func(string), prefix string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.to != nil {
		level(g.to)(msg)
		return
	}
	if prefix != "" {
		g.held = append(g.held, msg)
	}
	w := g.Stderr
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintln(w, "fluxpd: "+prefix+msg)
}

// Report writes a failed send as a warning.
func (g *Log) Report(f Failure) { g.Warn(f.String()) }

// Note writes how an event was changed on its way.
func (g *Log) Note(n Note) { g.Info(n.String()) }
