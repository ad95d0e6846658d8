package event

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// keyRule says, in every routingKey message below, what a valid key is.
var keyRule = fmt.Sprintf("an integration key is %d printable ASCII characters (letters and digits) without white space", RoutingKeyRunes)

// checkRoutingKey refuses keys PagerDuty cannot hold. Its integration keys
// have exactly RoutingKeyRunes characters, and PagerDuty answers 400
// "Length of 'routing_key' is incorrect (should be 32 characters)"
// otherwise. They are made of letters and digits, so a key of the right
// length with white space at either end, a control character (NUL, a
// newline, DEL) or a non-ASCII character (32 × 'é' is 32 characters but
// 64 bytes) is a key damaged on its way here, refused before sending. The
// key is not trimmed: a key with a stray space is wrong, and PagerDuty
// would refuse it too. The message never shows the key.
func checkRoutingKey(key string) error {
	if key == "" {
		return errors.New(`routingKey is empty; set it to the integration key of an Events API v2 integration (hint: routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"))`)
	}
	if n := utf8.RuneCountInString(key); n != RoutingKeyRunes {
		hint := ""
		if strings.TrimSpace(key) != key {
			hint = " (it starts or ends with white space)"
		}
		return fmt.Errorf("routingKey must be a %d-character integration key; got %d %s%s", RoutingKeyRunes, n, plural(n, "character", "characters"), hint)
	}
	if strings.TrimSpace(key) == "" {
		return errors.New("routingKey is only white space, not an integration key; PagerDuty refuses a blank key")
	}
	if strings.TrimSpace(key) != key {
		return fmt.Errorf("routingKey starts or ends with white space; %s (hint: a key read from a file or copied from a page often brings a newline or a space along)", keyRule)
	}
	return checkKeyCharacters(key)
}

// checkKeyCharacters refuses a key of the right length holding a character
// no integration key holds. It names the character's position and, for a
// control character, its code point, which tells a NUL from a newline
// without showing any of the key.
func checkKeyCharacters(key string) error {
	pos := 0
	for _, r := range key {
		pos++
		switch {
		case unicode.IsControl(r):
			return fmt.Errorf("routingKey contains a control character (%U) at character %d of %d; %s", r, pos, RoutingKeyRunes, keyRule)
		case r > unicode.MaxASCII:
			return fmt.Errorf("routingKey contains non-ASCII characters (it is %d characters but %d bytes); %s", RoutingKeyRunes, len(key), keyRule)
		case r == ' ':
			return fmt.Errorf("routingKey contains a space at character %d of %d; %s", pos, RoutingKeyRunes, keyRule)
		}
	}
	return nil
}
