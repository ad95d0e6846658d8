package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// object is a JSON object whose values stay raw, so that the type of every
// field can be checked and reported one by one instead of failing the
// whole decode on the first mismatch.
type object map[string]json.RawMessage

// presence tells how a field was found.
type presence int

const (
	absent presence = iota // missing or null
	bad                    // present with the wrong JSON type, already reported
	good                   // present with the right type
)

// checker collects validation errors in the order they are found.
type checker struct {
	errs []string
}

func (c *checker) addf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// jsonKind names the JSON type of a raw value.
func jsonKind(raw json.RawMessage) string {
	b := bytes.TrimLeft(raw, " \t\r\n")
	if len(b) == 0 {
		return "null"
	}
	switch b[0] {
	case 'n':
		return "null"
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	default:
		return "number"
	}
}

// field returns obj[key] if it has the wanted JSON kind, and reports
// "'path' must be a/an kind" otherwise. A null field counts as absent.
func (c *checker) field(obj object, key, path, kind string) (json.RawMessage, presence) {
	raw, ok := obj[key]
	if !ok {
		return nil, absent
	}
	switch jsonKind(raw) {
	case "null":
		return nil, absent
	case kind:
		return raw, good
	}
	article := "a"
	if kind == "object" || kind == "array" {
		article = "an"
	}
	c.addf("'%s' must be %s %s", path, article, kind)
	return nil, bad
}

// str reads a string field.
func (c *checker) str(obj object, key, path string) (string, presence) {
	return typedField[string](c, obj, key, path, "string")
}

// obj reads an object field.
func (c *checker) obj(obj object, key, path string) (object, presence) {
	return typedField[object](c, obj, key, path, "object")
}

// arr reads an array field.
func (c *checker) arr(obj object, key, path string) ([]json.RawMessage, presence) {
	return typedField[[]json.RawMessage](c, obj, key, path, "array")
}

// typedField reads a field of JSON kind kind into a T. The whole body was
// decoded already and field checked the kind, so decoding cannot fail.
func typedField[T any](c *checker, obj object, key, path, kind string) (T, presence) {
	raw, p := c.field(obj, key, path, kind)
	var v T
	if p == good {
		_ = json.Unmarshal(raw, &v)
	}
	return v, p
}

// optStrings checks that the listed optional fields are strings when present.
func (c *checker) optStrings(obj object, prefix string, keys ...string) {
	for _, k := range keys {
		c.str(obj, k, prefix+k)
	}
}

// required reads a string field that must be present and not blank,
// reporting "'path' is missing or blank" otherwise.
func (c *checker) required(obj object, key, path string) (string, presence) {
	s, p := c.str(obj, key, path)
	if p == absent || (p == good && blank(s)) {
		c.addf("'%s' is missing or blank", path)
		return s, absent
	}
	return s, p
}

// elements calls fn with each element of an array field that is an object,
// reporting elements of another type.
func (c *checker) elements(obj object, key string, fn func(elem object, path string)) {
	items, _ := c.arr(obj, key, key)
	for i, raw := range items {
		path := fmt.Sprintf("%s[%d]", key, i)
		if jsonKind(raw) != "object" {
			c.addf("'%s' must be an object", path)
			continue
		}
		var elem object
		_ = json.Unmarshal(raw, &elem)
		fn(elem, path)
	}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func runes(s string) int { return utf8.RuneCountInString(s) }
