package contract_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fluxpd/fluxpd/internal/contract"
	"github.com/fluxpd/fluxpd/internal/event"
)

// TestEvents checks testdata/events.txt itself: it loads, its names are
// unique, and it has enough cases of every verdict and kind.
func TestEvents(t *testing.T) {
	cases, err := contract.Events()
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]int)
	verdicts := make(map[contract.Verdict]int)
	kinds := make(map[string]int)
	for _, c := range cases {
		if line, ok := seen[c.Name]; ok {
			t.Errorf("line %d: name %q is used on line %d already", c.Line, c.Name, line)
		}
		seen[c.Name] = c.Line
		verdicts[c.Verdict]++
		kinds[c.Kind]++
	}
	if len(cases) < 50 || verdicts[contract.Valid] < 15 || verdicts[contract.Invalid] < 15 || verdicts[contract.Fixed] < 5 {
		t.Errorf("events.txt has %d cases (%v); want at least 50, with 15 valid, 15 invalid and 5 fixed", len(cases), verdicts)
	}
	if kinds[contract.KindChange] < 10 {
		t.Errorf("events.txt has %d change events; want at least 10", kinds[contract.KindChange])
	}

	// Cases kept out until the sender or the emulator is fixed must stay
	// ready to put back.
	disagree, err := contract.Disagreements()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range disagree {
		if line, ok := seen[c.Name]; ok {
			t.Errorf("line %d: name %q is used on line %d already", c.Line, c.Name, line)
		}
		seen[c.Name] = c.Line
		t.Logf("line %d: %s is left out: sender and emulator disagree on it", c.Line, c.Name)
	}
}

// TestEvents_Keys32 checks that every case named key-32... has a routing
// key of exactly 32 characters, so that those cases test what the key is
// made of and not, by a slip of the pen, its length.
func TestEvents_Keys32(t *testing.T) {
	cases, err := contract.Events()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		if !strings.HasPrefix(c.Name, "key-32") {
			continue
		}
		n++
		var body struct {
			RoutingKey string `json:"routing_key"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			t.Fatalf("line %d %s: %v", c.Line, c.Name, err)
		}
		if got := utf8.RuneCountInString(body.RoutingKey); got != event.RoutingKeyRunes {
			t.Errorf("line %d %s: the routing key has %d characters, want %d", c.Line, c.Name, got, event.RoutingKeyRunes)
		}
	}
	if n < 20 {
		t.Errorf("events.txt has %d key-32 cases; want at least 20 (white space, control and non-ASCII characters)", n)
	}
}

func TestEvents_Templates(t *testing.T) {
	cases, err := contract.Events()
	if err != nil {
		t.Fatal(err)
	}
	byName := make(map[string]contract.Event)
	for _, c := range cases {
		byName[c.Name] = c
	}
	for name, size := range map[string]int{
		"body-512000": 512000, "body-512001": 512001, "body-512000-2byte": 512000, "body-512001-2byte": 512001,
	} {
		c, ok := byName[name]
		if !ok {
			t.Errorf("events.txt has no case %s", name)
			continue
		}
		if len(c.Body) != size {
			t.Errorf("%s: body is %d bytes, want %d", name, len(c.Body), size)
		}
		if strings.HasSuffix(name, "-2byte") && strings.Count(string(c.Body), "é") < 250000 {
			t.Errorf("%s: {{fill %d \"é\"}} did not fill with é", name, size)
		}
	}
	if c, ok := byName["summary-1024-2byte"]; !ok || strings.Count(string(c.Body), "é") != 1024 {
		t.Errorf("summary-1024-2byte: {{repeat \"é\" 1024}} did not expand to 1024 é")
	}
}

// TestEvents_Syntax checks that the loader refuses malformed lines, so that
// a typo in the table cannot pass as an invalid event.
func TestEvents_Syntax(t *testing.T) {
	for _, line := range []string{
		`valid alert`,
		`maybe alert x {}`,
		`valid email x {}`,
		`valid alert Upper {}`,
		`valid alert x {"routing_key":`,
		`valid alert x []`,
		`valid alert x null`,
		`valid alert x {{repeat "a"}}`,
		`valid alert x {"a":"{{fill 5}}"}`,
		`valid alert x {"a":"{{fill 100}}","b":"{{fill 100}}"}`,
	} {
		if _, err := contract.ParseEvent(line); err == nil {
			t.Errorf("ParseEvent(%q) succeeded, want an error", line)
		}
	}
	ev, err := contract.ParseEvent(`fixed change x-1.2 {"a":"{{repeat "é" 2}}","b":"{{fill 30 "é"}}"}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"éé","b":"éééééx"}`; string(ev.Body) != want || len(ev.Body) != 30 {
		t.Errorf("body = %s (%d bytes), want %s (30 bytes)", ev.Body, len(ev.Body), want)
	}
}
