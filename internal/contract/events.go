package contract

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

//go:embed testdata/events.txt
var eventsTxt string

// Verdict is what the contract says of one case of testdata/events.txt.
type Verdict string

// The verdicts of testdata/events.txt.
const (
	// Valid: the emulator accepts the body as written, and the sender,
	// given the same fields, builds and encodes an event the emulator
	// accepts too.
	Valid Verdict = "valid"
	// Invalid: the emulator answers 400, and the sender refuses the same
	// fields.
	Invalid Verdict = "invalid"
	// Fixed: the body as written is invalid on the wire (400), but the
	// sender repairs it by design (lower-cases event_action and severity,
	// cuts an over-long summary, ...) and the emulator accepts what it
	// sends.
	Fixed Verdict = "fixed"
)

// Kinds of event in testdata/events.txt.
const (
	KindAlert  = "alert"  // POST /v2/enqueue
	KindChange = "change" // POST /v2/change/enqueue
)

// Event is one line of testdata/events.txt.
type Event struct {
	Line    int     // line number in the file, for test names
	Verdict Verdict // Valid, Invalid or Fixed
	Kind    string  // KindAlert or KindChange
	Name    string  // unique in the file
	Body    []byte  // the request body, template actions expanded
}

var eventName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

// Events returns the cases of testdata/events.txt, in file order, with
// every body's template actions expanded (see the file's header).
func Events() ([]Event, error) {
	var out []Event
	for i, line := range strings.Split(eventsTxt, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ev, err := parseEvent(line)
		if err != nil {
			return nil, fmt.Errorf("events.txt:%d: %w", i+1, err)
		}
		ev.Line = i + 1
		out = append(out, ev)
	}
	return out, nil
}

func parseEvent(line string) (Event, error) {
	f := strings.SplitN(line, " ", 4)
	if len(f) != 4 {
		return Event{}, fmt.Errorf("want \"<verdict> <kind> <name> <json>\", got %d fields", len(f))
	}
	ev := Event{Verdict: Verdict(f[0]), Kind: f[1], Name: f[2]}
	switch ev.Verdict {
	case Valid, Invalid, Fixed:
	default:
		return Event{}, fmt.Errorf("verdict %q is not one of valid, invalid, fixed", f[0])
	}
	if ev.Kind != KindAlert && ev.Kind != KindChange {
		return Event{}, fmt.Errorf("kind %q is not one of alert, change", f[1])
	}
	if !eventName.MatchString(ev.Name) {
		return Event{}, fmt.Errorf("name %q: use lower-case letters, digits, '.' and '-'", ev.Name)
	}
	body, err := expand(f[3])
	if err != nil {
		return Event{}, fmt.Errorf("%s: %w", ev.Name, err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return Event{}, fmt.Errorf("%s: the body is not a JSON object (%v)", ev.Name, err)
	}
	ev.Body = body
	return ev, nil
}

// fillMark stands for the padding of {{fill}} until the rest of the body is
// known. It cannot occur in a line of the file, which holds no NUL.
const fillMark = "\x00fill\x00"

// expand executes the template actions of one body:
//
//	{{repeat "é" 255}}   the string repeated n times
//	{{fill 512000}}      padding that makes the whole body exactly n bytes,
//	                     of 'x'
//	{{fill 512000 "é"}}  ... of as many copies of "é" as fit, then 'x' for
//	                     the bytes left over
//
// fill may be used once per body.
func expand(src string) ([]byte, error) {
	fillTo, fillWith, fills := 0, "x", 0
	funcs := template.FuncMap{
		"repeat": func(s string, n int) (string, error) {
			if n < 0 {
				return "", fmt.Errorf("repeat: negative count %d", n)
			}
			return strings.Repeat(s, n), nil
		},
		"fill": func(n int, with ...string) (string, error) {
			if len(with) > 1 || (len(with) == 1 && with[0] == "") {
				return "", fmt.Errorf("fill: want {{fill <bytes>}} or {{fill <bytes> <non-empty string>}}")
			}
			if len(with) == 1 {
				fillWith = with[0]
			}
			fillTo = n
			fills++
			return fillMark, nil
		},
	}
	tmpl, err := template.New("body").Option("missingkey=error").Funcs(funcs).Parse(src)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, nil); err != nil {
		return nil, err
	}
	body := buf.String()
	switch fills {
	case 0:
		return []byte(body), nil
	case 1:
	default:
		return nil, fmt.Errorf("fill is used %d times; it may be used once per body", fills)
	}
	rest := len(body) - len(fillMark)
	pad := fillTo - rest
	if pad < 0 {
		return nil, fmt.Errorf("fill %d: the body is %d bytes without the padding already", fillTo, rest)
	}
	padding := strings.Repeat(fillWith, pad/len(fillWith)) + strings.Repeat("x", pad%len(fillWith))
	return []byte(strings.Replace(body, fillMark, padding, 1)), nil
}
