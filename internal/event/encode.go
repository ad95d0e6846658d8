package event

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Encode returns the JSON body for v (an *Event or *ChangeEvent) and checks
// it against PagerDuty's size limit. HTML characters are not escaped, so
// summaries read the same on the wire as in the script.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(512)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("cannot encode the event as JSON: %w", err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("the event is %d bytes of JSON; PagerDuty accepts at most %d (hint: customDetails is the usual cause; send fewer or shorter details)", len(body), MaxBodyBytes)
	}
	return body, nil
}
