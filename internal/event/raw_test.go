package event_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/contract"
	"github.com/fluxpd/fluxpd/internal/event"
)

// TestValidateRaw_Contract: ValidateRaw judges every body of the contract
// table as written: no problem for a valid case, at least one for an
// invalid case and for a fixed one (which only Build repairs).
func TestValidateRaw_Contract(t *testing.T) {
	cases, err := contract.Events()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		path := event.AlertPath
		if c.Kind == contract.KindChange {
			path = event.ChangePath
		}
		_, problems := event.ValidateRaw(path, c.Body)
		if valid := c.Verdict == contract.Valid; valid != (len(problems) == 0) {
			t.Errorf("line %d %s (%s): ValidateRaw found %q", c.Line, c.Name, c.Verdict, problems)
		}
	}
}

func TestValidateRaw(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		path string
		body string
		want event.Raw
		errs []string
	}{
		{"trigger", event.AlertPath, `{"routing_key":"` + key + `","event_action":"trigger","dedup_key":"d","payload":{"summary":"s","source":"h","severity":"info"}}`,
			event.Raw{RoutingKey: key, EventAction: "trigger", DedupKey: "d"}, nil},
		{"not an object", event.AlertPath, `"x"`, event.Raw{Unparseable: true}, []string{"the body is not a JSON object"}},
		{"change", event.ChangePath, `{"routing_key":"` + key + `","payload":{"summary":"Deployed"}}`, event.Raw{Change: true, RoutingKey: key}, nil},
		{"everything wrong", event.AlertPath, `{"routing_key":7,"event_action":"fire","dedup_key":["x"],"payload":{"severity":"CRITICAL"},"links":{"href":"x"},"images":[{"src":"http://x"}]}`,
			event.Raw{EventAction: "fire"},
			[]string{
				"routing_key must be a string", "dedup_key must be a string",
				`event_action must be one of trigger, acknowledge, resolve (in lower case); got "fire"`,
				`images[0].src must be an https URL; got "http://x"`,
				"links must be an array of objects with a string href and an optional string text",
			}},
		{"trigger fields", event.AlertPath, `{"routing_key":"` + key + `","event_action":"trigger","payload":{"summary":"","source":" ","severity":"CRITICAL","timestamp":"","group":1},"images":[{"src":"http://x"}],"links":[{"text":"t"}]}`,
			event.Raw{RoutingKey: key, EventAction: "trigger"},
			[]string{
				"payload.summary is missing or blank; it must be a short description of the problem or change",
				"payload.source is missing or blank; a trigger needs the affected system, preferably a hostname or FQDN",
				`payload.severity must be one of critical, error, warning, info (in lower case); got "CRITICAL"`,
				"payload.group must be a string",
				`payload.timestamp must be an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got ""`,
				`images[0].src must be an https URL; got "http://x"`,
				"links[0].href is empty; every link needs an href",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := event.ValidateRaw(tt.path, []byte(tt.body))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Raw (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.errs, errs); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
