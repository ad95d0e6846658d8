package relay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// allowKeys is the set of routing keys the relay accepts; nil accepts
// every valid key.
type allowKeys map[string]bool

// newAllowKeys checks keys (nil: any key) and returns their set.
func newAllowKeys(keys []string) (allowKeys, error) {
	if keys == nil {
		return nil, nil
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("relay: the allowed routing keys are an empty list, which would refuse every event; give at least one key, or none to accept any")
	}
	set := allowKeys{}
	for i, k := range keys {
		if _, problems := event.ValidateRaw(event.AlertPath, minimalTrigger(k)); len(problems) > 0 {
			return nil, fmt.Errorf("relay: allowed routing key #%d (%s) is not an integration key: %s", i+1, redact.Key(k), problems[0])
		}
		set[k] = true
	}
	return set, nil
}

// allows reports whether key may be relayed.
func (a allowKeys) allows(key string) bool { return a == nil || a[key] }

// minimalTrigger is a valid trigger carrying key, to check a key with the
// same rule as the events that will carry it.
func minimalTrigger(key string) []byte {
	k, _ := json.Marshal(key) // a string always encodes
	return fmt.Appendf(nil, `{"routing_key":%s,"event_action":"trigger","payload":{"summary":"s","source":"s","severity":"info"}}`, k)
}

// secretName is a secrets file's NAME (see internal/secrets), with the
// optional "export " of a shell file.
var secretName = regexp.MustCompile(`^(export\s+)?[A-Za-z_][A-Za-z0-9_]*$`)

// keyOfLine returns the key of one line: the value of NAME=KEY (in
// matching quotes or not), or the whole line.
func keyOfLine(line string) string {
	name, v, ok := strings.Cut(line, "=")
	if !ok || !secretName.MatchString(strings.TrimSpace(name)) {
		return line
	}
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v
}

// ReadAllowKeys reads the routing keys of file: one a line, blank lines
// and lines starting with '#' ignored, white space around a key trimmed.
// The secrets-file format (NAME=KEY, as fluxpd run's --secrets reads) is
// accepted too: the value after '=' is the key. Errors name the file and
// line, never the key.
func ReadAllowKeys(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--allow-keys: %w", err)
	}
	var keys []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = keyOfLine(line)
		if _, problems := event.ValidateRaw(event.AlertPath, minimalTrigger(line)); len(problems) > 0 {
			return nil, fmt.Errorf("--allow-keys %s:%d: not an integration key: %s", file, n, problems[0])
		}
		keys = append(keys, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--allow-keys %s: %w", file, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("--allow-keys %s holds no routing key (one a line, or NAME=KEY); the relay would refuse every event", file)
	}
	return keys, nil
}
