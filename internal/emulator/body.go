package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// This file turns a raw event body into the masked copy the views serve:
// every field the sender sent, the routing key masked.

// bodyView is the masked body of an event, as served in the views: Body
// holds the whole JSON object the sender sent, or Note says why it is not
// shown.
type bodyView struct {
	Body map[string]any `json:"body,omitempty"`
	Note string         `json:"body_note,omitempty"`
}

// Notes for a body the views do not show.
const (
	noteNotObject = "not shown: the body is not a JSON object"
	noteTooLarge  = "not shown: the body is over PagerDuty's 512000-byte limit"
)

// viewBody decodes a raw event body and masks it: the top-level
// routing_key with redact.Key, and the key wherever else it appears (in any
// string and any member name) with redact.String, in case a sender put it
// where it does not belong. Numbers keep their exact text. A body that is
// not a JSON object, or is over maxEventSize, is not shown: its Note says
// why. A body that is not JSON may hold the key in a form that cannot be
// found, so it is never echoed.
func viewBody(raw []byte, key string) bodyView {
	if len(raw) > maxEventSize {
		return bodyView{Note: noteTooLarge}
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return bodyView{Note: noteNotObject}
	}
	out := maskValue(obj, masker(key)).(map[string]any)
	if rk, ok := obj["routing_key"]; ok && rk != nil {
		out["routing_key"] = maskRoutingKey(rk)
	}
	return bodyView{Body: out}
}

// decodeObject decodes a JSON object, keeping numbers as json.Number. Like
// parse, it refuses anything after the object.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return obj, nil
}

// maskValue returns a copy of a decoded JSON value with every string and
// member name passed through mask.
func maskValue(v any, mask func(string) string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[mask(k)] = maskValue(x, mask)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = maskValue(x, mask)
		}
		return out
	case string:
		return mask(v)
	case json.Number:
		if m := mask(string(v)); m != string(v) {
			return m // a masked number is no longer a number
		}
	}
	return v
}

// maskRoutingKey masks the value of routing_key whatever its JSON type: a
// key sent as a number or an object is still a secret.
func maskRoutingKey(v any) string {
	if s, ok := v.(string); ok {
		return redact.Key(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("(%T, masked)", v)
	}
	return redact.Key(string(b))
}
