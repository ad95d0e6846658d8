package event

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// This file writes events as JSON by hand, byte for byte as encoding/json
// writes them (with HTML escaping off) from the struct tags of event.go:
// the same field order, the same omitempty, the same string escapes and
// number forms. TestEncode_AsEncodingJSON holds the two together.

// appendEvent appends ev's JSON.
func appendEvent(b []byte, ev *Event) ([]byte, error) {
	b = append(b, `{"routing_key":`...)
	b = appendString(b, ev.RoutingKey)
	b = append(b, `,"event_action":`...)
	b = appendString(b, ev.EventAction)
	b = appendOptional(b, `,"dedup_key":`, ev.DedupKey)
	b = appendOptional(b, `,"client":`, ev.Client)
	b = appendOptional(b, `,"client_url":`, ev.ClientURL)
	var err error
	if ev.Payload != nil {
		if b, err = appendPayload(append(b, `,"payload":`...), ev.Payload); err != nil {
			return nil, err
		}
	}
	if len(ev.Images) > 0 {
		b = append(b, `,"images":[`...)
		for i, im := range ev.Images {
			b = appendComma(b, i)
			b = append(b, `{"src":`...)
			b = appendString(b, im.Src)
			b = appendOptional(b, `,"href":`, im.Href)
			b = append(appendOptional(b, `,"alt":`, im.Alt), '}')
		}
		b = append(b, ']')
	}
	b = appendLinks(b, ev.Links)
	return append(b, '}'), nil
}

func appendPayload(b []byte, p *Payload) ([]byte, error) {
	b = append(b, `{"summary":`...)
	b = appendString(b, p.Summary)
	b = append(b, `,"source":`...)
	b = appendString(b, p.Source)
	b = append(b, `,"severity":`...)
	b = appendString(b, p.Severity)
	b = appendOptional(b, `,"timestamp":`, p.Timestamp)
	b = appendOptional(b, `,"component":`, p.Component)
	b = appendOptional(b, `,"group":`, p.Group)
	b = appendOptional(b, `,"class":`, p.Class)
	return appendDetails(b, p.CustomDetails)
}

// appendChange appends ev's JSON.
func appendChange(b []byte, ev *ChangeEvent) ([]byte, error) {
	b = append(b, `{"routing_key":`...)
	b = appendString(b, ev.RoutingKey)
	b = append(b, `,"payload":`...)
	if ev.Payload == nil {
		b = append(b, "null"...)
	} else {
		p := ev.Payload
		b = append(b, `{"summary":`...)
		b = appendString(b, p.Summary)
		b = appendOptional(b, `,"source":`, p.Source)
		b = appendOptional(b, `,"timestamp":`, p.Timestamp)
		var err error
		if b, err = appendDetails(b, p.CustomDetails); err != nil {
			return nil, err
		}
	}
	return append(appendLinks(b, ev.Links), '}'), nil
}

// appendDetails appends a payload's custom_details member and closes the
// payload's object.
func appendDetails(b []byte, d Details) ([]byte, error) {
	if len(d) > 0 {
		var err error
		if b, err = appendObject(append(b, `,"custom_details":`...), d); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendLinks(b []byte, links []Link) []byte {
	if len(links) == 0 {
		return b
	}
	b = append(b, `,"links":[`...)
	for i, l := range links {
		b = appendComma(b, i)
		b = append(b, `{"href":`...)
		b = appendString(b, l.Href)
		b = append(appendOptional(b, `,"text":`, l.Text), '}')
	}
	return append(b, ']')
}

// appendOptional appends an omitempty string member: nothing when s is "".
func appendOptional(b []byte, member, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, member...), s)
}

func appendComma(b []byte, i int) []byte {
	if i > 0 {
		return append(b, ',')
	}
	return b
}

// appendValue appends one custom detail's value (see Details).
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case float64:
		return appendFloat(b, v)
	case time.Time:
		return appendString(b, FormatTime(v)), nil
	case []any:
		b = append(b, '[')
		for i, e := range v {
			var err error
			if b, err = appendValue(appendComma(b, i), e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case Details:
		return appendObject(b, v)
	}
	return nil, unsupported(v)
}

func appendObject(b []byte, d Details) ([]byte, error) {
	b = append(b, '{')
	for i, f := range d {
		b = append(appendString(appendComma(b, i), f.Key), ':')
		var err error
		if b, err = appendValue(b, f.Value); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendFloat appends f as encoding/json does: the shortest decimal that
// reads back as f, in exponent form below 1e-6 and from 1e21 on, with
// e-07 written e-7. NaN and ±Inf get encoding/json's own error.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		_, err := json.Marshal(f)
		return nil, err
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it with HTML escaping off: '"' and '\', control characters
// (\b, \f, \n, \r and \t by name, the others as \u00XX), invalid UTF-8 as
// \ufffd, and U+2028 and U+2029.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
