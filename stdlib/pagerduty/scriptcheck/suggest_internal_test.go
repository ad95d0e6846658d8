package scriptcheck

import "testing"

// eventFields are the fields of an alert event, as the binding passes them.
var eventFields = []string{"routingKey", "client", "clientURL", "dedupKey", "class", "group", "severity",
	"eventAction", "source", "component", "summary", "timestamp", "customDetails", "links", "images"}

func TestSuggest(t *testing.T) {
	tests := []struct{ name, want string }{
		{"custom_details", "customDetails"},
		{"CUSTOM-DETAILS", "customDetails"},
		{"routingkey", "routingKey"},
		{"routing_key", "routingKey"},
		{"severty", "severity"},
		{"sevretiy", "severity"}, // two swaps
		{"sumary", "summary"},
		{"eventaction", "eventAction"},
		{"event_type", ""},
		{"clas", "class"},
		{"details", ""},
		{"priority", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.name, eventFields); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"severity", "severity", 0},
		{"severty", "severity", 1}, {"sevreity", "severity", 1}, {"sumary", "summary", 1},
		{"kitten", "sitting", 3}, {"ça", "ca", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
