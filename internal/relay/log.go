package relay

import (
	"io"
	"log/slog"
	"strings"
)

// newLogger returns the relay's logger: text (logfmt-like) or JSON lines
// on opts.Log. Every message and attribute is masked where it is made:
// routing keys through redact.Key, URLs through redact.URL.
func newLogger(opts Options) *slog.Logger {
	w := opts.Log
	if w == nil {
		w = io.Discard
	}
	ho := &slog.HandlerOptions{Level: slog.LevelInfo}
	if opts.LogFormat == LogJSON {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// outboxLog routes the outbox's log lines (keys already masked by the
// outbox): a dead letter is a warning; a routing key paced after PagerDuty
// refused it is a warning; the lines of every event's normal course
// (queued, delivered, each rescheduled try, each flush's tally) are debug,
// left out at the default level: a long-delayed event gets one line of its
// own (see longDelays).
func outboxLog(log *slog.Logger) func(string) {
	return func(msg string) {
		rest := strings.TrimPrefix(msg, "outbox: ")
		switch {
		case strings.HasPrefix(rest, "dead-lettered"):
			log.Warn(msg, "outcome", "dead_lettered")
		case strings.HasPrefix(rest, "pacing routing key"):
			log.Warn(msg, "outcome", "paced")
		case strings.HasPrefix(rest, "queued"), strings.HasPrefix(rest, "delivered"),
			strings.HasPrefix(rest, "rescheduled"), strings.HasPrefix(rest, "flush:"):
			log.Debug(msg)
		default:
			log.Info(msg)
		}
	}
}

// outboxWarn routes the outbox's warnings.
func outboxWarn(log *slog.Logger) func(string) {
	return func(msg string) { log.Warn(msg) }
}
