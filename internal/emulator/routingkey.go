package emulator

import "strings"

// routingKey checks routing_key, which PagerDuty requires, and returns it.
// Integration keys are routingKeyLen characters; PagerDuty answers
// errRoutingKeyLen for another length. A key of the right length that
// holds a byte no integration key holds (it was damaged on its way: a
// stray newline, a NUL, non-ASCII text) cannot be routed either, and is
// refused with what is wrong.
func (c *checker) routingKey(obj object) string {
	key, p := c.required(obj, "routing_key", "routing_key")
	switch {
	case p != good:
	case runes(key) != routingKeyLen:
		c.addf("%s", errRoutingKeyLen)
	default:
		if problem := keyBytesProblem(key); problem != "" {
			c.addf("'routing_key' %s (must be %d printable ASCII characters without white space)", problem, routingKeyLen)
		}
	}
	return key
}

// keyBytesProblem says what keeps a key of the right length from being an
// integration key, which is made of printable ASCII bytes ('!' to '~'):
// white space at either end, a control byte, a byte outside ASCII or a
// space. It returns "" for a good key and never quotes the key.
func keyBytesProblem(key string) string {
	if strings.TrimSpace(key) != key {
		return "has leading or trailing white space"
	}
	for i := 0; i < len(key); i++ {
		switch b := key[i]; {
		case b < ' ' || b == asciiDEL:
			return "contains a control character"
		case b > asciiDEL:
			return "contains non-ASCII characters"
		case b == ' ':
			return "contains a space"
		}
	}
	return ""
}

// asciiDEL is the last ASCII byte, a control character.
const asciiDEL = 0x7f
