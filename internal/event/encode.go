package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Encode returns the JSON body for v (an *Event or *ChangeEvent) and checks
// it against PagerDuty's size limit. HTML characters are not escaped, so
// summaries read the same on the wire as in the script.
//
// An acknowledge or resolve whose payload makes the body too large is
// encoded without its payload instead of failing: PagerDuty does not need
// the payload for them (see Build).
func Encode(v any) ([]byte, error) {
	body, err := encode(v)
	if ev, ok := v.(*Event); ok && errors.Is(err, errTooLarge) && ev.Payload != nil && ev.EventAction != Trigger {
		bare := *ev
		bare.Payload = nil
		return encode(&bare)
	}
	return body, err
}

// errTooLarge is wrapped by the error for a body over MaxBodyBytes.
var errTooLarge = errors.New("PagerDuty accepts at most " + strconv.Itoa(MaxBodyBytes))

// bodyCap is the capacity a body starts with: a typical event's JSON,
// custom details included, fits.
const bodyCap = 512

func encode(v any) ([]byte, error) {
	body, err := appendWire(make([]byte, 0, bodyCap), v)
	if err != nil {
		// Only a value JSON cannot carry fails, which Build refuses first:
		// encoding/json says what is wrong, in its own words.
		if body, err = encodeJSON(v); err != nil {
			return nil, err
		}
	}
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("the event is %d bytes of JSON; %w (hint: customDetails is the usual cause; send fewer or shorter details)", len(body), errTooLarge)
	}
	return body, nil
}

// errNotWire: appendWire writes *Event and *ChangeEvent only.
var errNotWire = errors.New("not an event")

// appendWire appends the JSON of v, an *Event or a *ChangeEvent (see
// wire.go).
func appendWire(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case *Event:
		if v != nil {
			return appendEvent(b, v)
		}
	case *ChangeEvent:
		if v != nil {
			return appendChange(b, v)
		}
	}
	return nil, errNotWire
}

// encodeJSON encodes v with encoding/json, from the struct tags, HTML
// characters not escaped: what appendWire writes by hand, and the errors
// it leaves to encoding/json.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("cannot encode the event as JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
