package relay

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// assignedKeyBytes is the randomness of a dedup key the relay assigns: 16
// bytes, 32 hexadecimal characters, like the keys PagerDuty generates.
const assignedKeyBytes = 16

// needsDedupKey reports whether an alert event must be given a dedup key:
// a trigger without one (absent, null or blank), which PagerDuty would give
// a key of its own on every delivery, so that a redelivery of it (the relay
// delivers at least once) would open a second incident.
func needsDedupKey(action, dedupKey string) bool {
	return action == "trigger" && strings.TrimSpace(dedupKey) == ""
}

// newDedupKey returns a fresh random dedup key.
func newDedupKey() string {
	b := make([]byte, assignedKeyBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)
}

// withDedupKey returns body, a JSON object, with its dedup_key member set
// to key: the member replaced where it is, or added last. The other
// members keep their order and their bytes, so that PagerDuty receives
// what the sender sent, plus the key.
func withDedupKey(body []byte, key string) ([]byte, error) {
	members, err := objectMembers(body)
	if err != nil {
		return nil, err
	}
	k, _ := json.Marshal(key) // a string always encodes
	var out bytes.Buffer
	out.Grow(len(body) + len(k) + len(`"dedup_key":,`))
	out.WriteByte('{')
	replaced := false
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(m.name)
		out.WriteByte(':')
		if m.key == "dedup_key" {
			out.Write(k)
			replaced = true
		} else {
			out.Write(m.value)
		}
	}
	if !replaced {
		if len(members) > 0 {
			out.WriteByte(',')
		}
		out.WriteString(`"dedup_key":`)
		out.Write(k)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// member is one member of a JSON object: its name as written (quoted) and
// decoded, and its value as written.
type member struct {
	name  []byte
	key   string
	value json.RawMessage
}

// objectMembers splits a JSON object into its members, in order.
func objectMembers(body []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("the body is not a JSON object")
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		name, _ := json.Marshal(key)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{name: name, key: key, value: v})
	}
	return out, nil
}
