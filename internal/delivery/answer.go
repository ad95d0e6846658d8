package delivery

import (
	"encoding/json"
	"strings"
)

// decodeAnswer reads PagerDuty's answer as json.Unmarshal into a
// wireAnswer would, without reflection for the answers PagerDuty gives: a
// flat object whose values are plain strings, and "errors" an array of
// them. Anything else (escapes, other characters than printable ASCII,
// other value types, a repeated key, a key that matches a field only case
// insensitively, invalid JSON) goes to json.Unmarshal, whose result is
// then the answer: the fast path never decides a case it might decide
// differently.
//
// The fast path's strings are slices of body, which the Response keeps
// anyway, so an accepted event's answer is read without allocating.
func decodeAnswer(body string) wireAnswer {
	if w, ok := scanAnswer(body); ok {
		return w
	}
	var w wireAnswer
	_ = json.Unmarshal([]byte(body), &w)
	return w
}

// answerScanner reads one flat JSON object; ok turns false at the first
// thing it does not handle.
type answerScanner struct {
	b    string
	i    int
	ok   bool
	seen [3]bool // message, errors, dedup_key
}

func scanAnswer(body string) (wireAnswer, bool) {
	var w wireAnswer
	s := answerScanner{b: body, ok: true}
	s.skipSpace()
	if !s.eat('{') {
		return w, false
	}
	s.skipSpace()
	if s.eat('}') {
		return w, s.end()
	}
	for s.ok {
		key := s.str()
		s.skipSpace()
		s.ok = s.ok && s.eat(':')
		s.skipSpace()
		s.member(&w, key)
		s.skipSpace()
		if s.eat('}') {
			return w, s.end()
		}
		s.ok = s.ok && s.eat(',')
		s.skipSpace()
	}
	return w, false
}

// member reads the value of key into w when key names one of its fields.
func (s *answerScanner) member(w *wireAnswer, key string) {
	field := -1
	switch key {
	case "message":
		field = 0
	case "errors":
		field = 1
	case "dedup_key":
		field = 2
	default:
		if foldsToField(key) {
			s.ok = false
		}
		s.str() // another key's value is skipped, if a plain string
		return
	}
	if s.seen[field] {
		s.ok = false
		return
	}
	s.seen[field] = true
	switch field {
	case 0:
		w.Message = s.str()
	case 1:
		w.Errors = s.strs()
	case 2:
		w.DedupKey = s.str()
	}
}

// foldsToField reports whether key would match a field of wireAnswer in
// json.Unmarshal, which compares keys case-insensitively. Keys reach it
// only in printable ASCII, where that is strings.EqualFold.
func foldsToField(key string) bool {
	for _, f := range [...]string{"message", "errors", "dedup_key"} {
		if strings.EqualFold(key, f) {
			return true
		}
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (s *answerScanner) str() string {
	if !s.ok || !s.eat('"') {
		s.ok = false
		return ""
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.b[start : s.i-1]
		case c == '\\' || c < 0x20 || c > 0x7e:
			s.ok = false
			return ""
		}
		s.i++
	}
	s.ok = false
	return ""
}

// strs reads an array of strings as str reads them; [] is an empty,
// non-nil slice, as json.Unmarshal makes it.
func (s *answerScanner) strs() []string {
	if !s.ok || !s.eat('[') {
		s.ok = false
		return nil
	}
	out := []string{}
	s.skipSpace()
	if s.eat(']') {
		return out
	}
	for s.ok {
		out = append(out, s.str())
		s.skipSpace()
		if s.eat(']') {
			return out
		}
		s.ok = s.ok && s.eat(',')
		s.skipSpace()
	}
	return nil
}

func (s *answerScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// skipSpace skips JSON's white space.
func (s *answerScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// end reports whether only white space follows the object.
func (s *answerScanner) end() bool {
	s.skipSpace()
	return s.ok && s.i == len(s.b)
}
