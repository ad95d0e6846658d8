package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// This file makes the raw view of an event body, served by
// GET /_emulator/requests?raw=1: the bytes as received (white space, member
// order, escapes, duplicate members, number spellings), with the routing
// key masked. body.go's view decodes the body instead.

// rawView is a request's body as received, routing key masked: RawBody
// when the result is UTF-8 text, RawBodyBase64 when it is not (a JSON
// string may carry invalid UTF-8, which a JSON string cannot show as is),
// or Note saying why it is not shown.
type rawView struct {
	RawBody       string `json:"raw_body,omitempty"`
	RawBodyBase64 string `json:"raw_body_base64,omitempty"`
	Note          string `json:"raw_body_note,omitempty"`
}

// viewRawBody masks a raw event body whose routing key is key. The value
// of every top-level routing_key member, whatever its JSON type, becomes
// the quoted redact.Key of it; any other string or number (member names
// included) that holds a key becomes a JSON string with the key masked
// with redact.String (the keys are key and every top-level routing_key
// string, so that a key written with escapes is found too). Everything
// else stays byte for byte. Like viewBody, it leaves out a body that is
// not a JSON object, or is over maxEventSize: the key may be in it in a
// form that cannot be found.
func viewRawBody(raw []byte, key string) rawView {
	if len(raw) > maxEventSize {
		return rawView{Note: noteTooLarge}
	}
	if _, err := decodeObject(raw); err != nil {
		return rawView{Note: noteNotObject}
	}
	keys := []string{key}
	if err := walkJSON(raw, func(t rawToken) error {
		if s, ok := t.value.(string); ok && t.routingKey {
			keys = append(keys, s)
		}
		return nil
	}); err != nil {
		return rawView{Note: noteNotObject}
	}
	out, err := maskRaw(raw, keys)
	if err != nil {
		return rawView{Note: noteNotObject}
	}
	if !utf8.Valid(out) {
		return rawView{RawBodyBase64: base64.StdEncoding.EncodeToString(out)}
	}
	return rawView{RawBody: string(out)}
}

// maskRaw returns raw with the routing_key values and every text holding
// one of keys replaced as viewRawBody describes.
func maskRaw(raw []byte, keys []string) ([]byte, error) {
	var out bytes.Buffer
	copied := 0
	err := walkJSON(raw, func(t rawToken) error {
		repl, err := t.masked(keys)
		if err != nil || repl == nil {
			return err
		}
		out.Write(raw[copied:t.start])
		out.Write(repl)
		copied = t.end
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Write(raw[copied:])
	return out.Bytes(), nil
}

// masked returns what replaces the token, or nil when it stays as it is.
func (t rawToken) masked(keys []string) ([]byte, error) {
	if t.routingKey {
		return encodeText(maskRoutingKey(t.value))
	}
	var s string
	switch v := t.value.(type) {
	case string:
		s = v
	case json.Number:
		s = string(v)
	default:
		return nil, nil
	}
	if m := redact.String(s, keys...); m != s {
		return encodeText(m) // a masked number is no longer a number, as in viewBody
	}
	return nil, nil
}

// encodeText encodes s as a JSON string, leaving <, > and & as they are.
func encodeText(s string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// rawToken is a scalar of a JSON text, or the whole value of a top-level
// routing_key member, with its byte span in the text.
type rawToken struct {
	start, end int
	value      any  // string (a member name too), json.Number, bool, nil; any JSON value for routingKey
	routingKey bool // the value of a member routing_key of the top-level object
}

// errWalk is returned when a text the decoder accepted has a token where
// walkJSON cannot find its start, which would be a bug.
var errWalk = errors.New("cannot locate a token in the body")

// walkJSON calls visit with every scalar token of the JSON text raw (every
// member name and value, at any depth), except that the value of a member
// routing_key of the top-level object comes whole, in one token.
func walkJSON(raw []byte, visit func(rawToken) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var w jsonWalk
	for {
		start := tokenStart(raw, int(dec.InputOffset()))
		var (
			v   any
			err error
		)
		whole := w.atRoutingKeyValue()
		if whole {
			err = dec.Decode(&v)
		} else {
			v, err = dec.Token()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		t := rawToken{start: start, end: int(dec.InputOffset()), value: v, routingKey: whole}
		if _, delim := v.(json.Delim); !delim || whole {
			if start < 0 || start >= t.end {
				return errWalk
			}
			if err := visit(t); err != nil {
				return err
			}
		}
		w.step(v, whole)
	}
}

// tokenStart returns where the token after offset begins: past the white
// space, ',' and ':' that separate tokens. -1 when none is left.
func tokenStart(raw []byte, offset int) int {
	for i := offset; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
		default:
			return i
		}
	}
	return -1
}

// jsonWalk follows where a token stream is: in which containers, and
// whether the next token in an object is a member name.
type jsonWalk struct {
	stack    []bool // per open container: it is an object
	wantName bool   // the next token is a member name
	name     string // the last member name read at depth 1
}

// atRoutingKeyValue reports whether the next token is the value of a
// member routing_key of the top-level object.
func (w *jsonWalk) atRoutingKeyValue() bool {
	return len(w.stack) == 1 && w.stack[0] && !w.wantName && w.name == "routing_key"
}

// step moves past token v (whole: a complete value read at once).
func (w *jsonWalk) step(v any, whole bool) {
	if d, ok := v.(json.Delim); ok && !whole {
		switch d {
		case '{', '[':
			w.stack = append(w.stack, d == '{')
			w.wantName = d == '{'
			return
		case '}', ']':
			w.stack = w.stack[:len(w.stack)-1]
		}
	} else if w.wantName {
		if len(w.stack) == 1 {
			w.name, _ = v.(string)
		}
		w.wantName = false
		return
	}
	// A value ended: in an object, a member name comes next.
	w.wantName = len(w.stack) > 0 && w.stack[len(w.stack)-1]
	if len(w.stack) == 1 {
		w.name = ""
	}
}
