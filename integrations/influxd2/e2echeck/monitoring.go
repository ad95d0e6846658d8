package main

// The monitoring of (b) and (c): the threshold check, the PagerDuty
// endpoints and rules, and their secrets.

import (
	"net/http"
	"net/url"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// Status rules of the notification rules.
var (
	critRule    = map[string]string{"currentLevel": "CRIT"}
	okAfterCrit = map[string]string{"currentLevel": "OK", "previousLevel": "CRIT"}
)

// refuseBadKey tells the emulator to answer the key of pd-ep-refused as
// PagerDuty answers a key it does not know (the emulator accepts any
// well-formed key otherwise).
func (s *runner) refuseBadKey() {
	s.Check("(c) POST /_emulator/faults refuse_routing_key "+redact.Key(s.badKey)+": the emulator answers that key 400, as PagerDuty answers an unknown key",
		s.emu.RefuseKey(s.badKey))
}

func (s *runner) createCheck() {
	var check struct{ ID string }
	s.Check("(b) POST /api/v2/checks: threshold check cpu-high, CRIT above 90, every 5s", s.do(http.MethodPost, "/api/v2/checks", map[string]any{
		"name": "cpu-high", "type": "threshold", "orgID": s.orgID, "status": "active", "every": "5s", "offset": "0s",
		"query": map[string]any{
			"text":     `from(bucket: "e2e") |> range(start: -1m) |> filter(fn: (r) => r._measurement == "cpu" and r._field == "usage_user") |> aggregateWindow(every: 5s, fn: mean)`,
			"editMode": "advanced",
		},
		"statusMessageTemplate": "CPU at ${string(v: r.usage_user)} on ${r.host}",
		"tags":                  []any{},
		"thresholds":            []any{map[string]any{"type": "greater", "level": "CRIT", "value": 90.0, "allValues": false}},
	}, &check))
	s.checkID = check.ID
}

// createEndpointsAndRules creates pd-ep and pd-rule (CRIT, OK after CRIT)
// with the good key, and a CRIT rule each for the refused and the short
// key.
func (s *runner) createEndpointsAndRules() {
	s.clientURL = s.influx + "/client"
	s.epID = s.endpoint("pd-ep", s.key)
	s.ruleID = s.rule("pd-rule", s.epID, critRule, okAfterCrit)
	s.badEpID = s.endpoint("pd-ep-refused", s.badKey)
	s.badRuleID = s.rule("pd-rule-refused", s.badEpID, critRule)
	s.shortEpID = s.endpoint("pd-ep-short", s.shortKey)
	s.shortRuleID = s.rule("pd-rule-short", s.shortEpID, critRule)
}

func (s *runner) endpoint(name, routingKey string) string {
	var ep struct{ ID string }
	s.Check("POST /api/v2/notificationEndpoints: pagerduty endpoint "+name, s.do(http.MethodPost, "/api/v2/notificationEndpoints", map[string]any{
		"name": name, "type": "pagerduty", "orgID": s.orgID, "status": "active", "clientURL": s.clientURL, "routingKey": routingKey,
	}, &ep))
	return ep.ID
}

func (s *runner) rule(name, endpointID string, statusRules ...map[string]string) string {
	var r struct{ ID string }
	s.Check("POST /api/v2/notificationRules: pagerduty rule "+name, s.do(http.MethodPost, "/api/v2/notificationRules", map[string]any{
		"name": name, "type": "pagerduty", "orgID": s.orgID, "endpointID": endpointID, "status": "active",
		"every": "5s", "offset": "1s", "messageTemplate": "Check ${r._check_name} is ${r._level}",
		"statusRules": statusRules, "tagRules": []any{},
	}, &r))
	return r.ID
}

// setSecrets: stock beta.8 stores an endpoint's key with PutSecrets, which
// replaces ALL of the org's secrets (kv.Service.PutSecrets deletes every
// other key): after creating several endpoints only the last one's key is
// left. So set every secret once the endpoints exist, with PATCH (which
// merges), as an operator must on beta.8.
func (s *runner) setSecrets() {
	var secretKeys struct {
		Secrets []string `json:"secrets"`
	}
	secrets := "/api/v2/orgs/" + url.PathEscape(s.orgID) + "/secrets"
	if s.Check("GET /api/v2/orgs/ID/secrets after creating the endpoints", s.do(http.MethodGet, secrets, nil, &secretKeys)) {
		s.Say("secrets left after creating 3 endpoints (stock beta.8 keeps only the last): %v", secretKeys.Secrets)
	}
	s.Check("(a), (b), (c) PATCH /api/v2/orgs/ID/secrets sets PD_TASK_KEY and the endpoints' <endpointID>-routing-key",
		s.do(http.MethodPatch, secrets, map[string]string{
			"PD_TASK_KEY":                s.key,
			s.epID + "-routing-key":      s.key,
			s.badEpID + "-routing-key":   s.badKey,
			s.shortEpID + "-routing-key": s.shortKey,
		}, nil))
}
