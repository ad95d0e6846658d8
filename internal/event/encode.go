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

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(512)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("cannot encode the event as JSON: %w", err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("the event is %d bytes of JSON; %w (hint: customDetails is the usual cause; send fewer or shorter details)", len(body), errTooLarge)
	}
	return body, nil
}
