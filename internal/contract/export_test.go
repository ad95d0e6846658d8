package contract

import (
	"fmt"
	"strings"
)

// ParseEvent parses one line of testdata/events.txt, for tests of the
// loader itself.
var ParseEvent = parseEvent

// Disagreements returns the cases of testdata/events.txt kept commented out
// as "# DISAGREE: <case>", parsed, with their line numbers.
func Disagreements() ([]Event, error) {
	var out []Event
	for i, line := range strings.Split(eventsTxt, "\n") {
		rest, ok := strings.CutPrefix(line, disagreePrefix)
		if !ok {
			continue
		}
		ev, err := parseEvent(rest)
		if err != nil {
			return nil, fmt.Errorf("events.txt:%d: %w", i+1, err)
		}
		ev.Line = i + 1
		out = append(out, ev)
	}
	return out, nil
}

const disagreePrefix = "# DISAGREE: "
