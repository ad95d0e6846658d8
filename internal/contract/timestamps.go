package contract

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed testdata/timestamps.txt
var timestampsTxt string

// Timestamp is one line of testdata/timestamps.txt.
type Timestamp struct {
	Line  int    // line number in the file, for test names
	Value string // the payload.timestamp string
	Valid bool   // whether PagerDuty's contract, as fluxpd reads it, accepts it
}

// Timestamps returns the cases of testdata/timestamps.txt, in file order.
func Timestamps() ([]Timestamp, error) {
	var out []Timestamp
	for i, line := range strings.Split(timestampsTxt, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		verdict, value, ok := strings.Cut(line, " ")
		if !ok || (verdict != "valid" && verdict != "invalid") {
			return nil, fmt.Errorf("timestamps.txt:%d: want \"valid <string>\" or \"invalid <string>\", got %q", i+1, line)
		}
		if strings.HasPrefix(value, `"`) {
			v, err := strconv.Unquote(value)
			if err != nil {
				return nil, fmt.Errorf("timestamps.txt:%d: bad quoted string: %w", i+1, err)
			}
			value = v
		}
		out = append(out, Timestamp{Line: i + 1, Value: value, Valid: verdict == "valid"})
	}
	return out, nil
}
