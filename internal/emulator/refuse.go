package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// This file holds the refused routing keys: a standing fault that answers
// every event carrying one of them as PagerDuty answers an integration key
// it does not know (deleted, disabled, mistyped), where the emulator would
// otherwise accept any well-formed 32-character key. Unlike the queued
// faults, it is not used up: it lasts until DELETE /_emulator/faults
// (ClearFaults) or Reset.

// errInvalidKey is PagerDuty's error for an integration key it does not
// know; the answer is 400 "invalid event", as for any invalid event.
const errInvalidKey = "Invalid routing key"

// refuseField is the member of POST /_emulator/faults that refuses a key:
// {"refuse_routing_key":"<key>"}, alone or among faults in an array.
const refuseField = "refuse_routing_key"

// RefuseKey makes the emulator answer every valid event carrying one of
// keys with 400 and errInvalidKey, recorded with VerdictRejected. An event
// with other problems is answered with those, as PagerDuty validates the
// event first; an outage or a queued fault still comes before.
func (e *Emulator) RefuseKey(keys ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range keys {
		if !slices.Contains(e.refused, k) {
			e.refused = append(e.refused, k)
		}
	}
}

// RefusedKeys returns the keys RefuseKey refuses, raw, in the order
// refused; mask them with redact.Key before printing.
func (e *Emulator) RefusedKeys() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.refused)
}

// ClearFaults empties the fault queue and forgets the refused keys.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults, e.refused = nil, nil
}

// refuses reports whether key is refused. It runs under e.mu.
func (e *Emulator) refuses(key string) bool {
	return key != "" && slices.Contains(e.refused, key)
}

// refuse answers req, whose key is refused. It runs under e.mu.
func refuse(req *Request) answer {
	req.Status, req.Verdict, req.Errors = http.StatusBadRequest, VerdictRejected, []string{errInvalidKey}
	req.Reason = "routing key refused by " + InspectPrefix + "faults, as PagerDuty refuses an integration key it does not know"
	return answer{req.Status, errorBody{"invalid event", "Event object is invalid", req.Errors}}
}

// maskedRefusedKeys returns the refused keys as served: masked.
func (e *Emulator) maskedRefusedKeys() []string {
	keys := e.RefusedKeys()
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = redact.Key(k)
	}
	return out
}

// parseFaultScript reads the body of POST /_emulator/faults: a JSON array
// (or one element) of faults and {"refuse_routing_key":"<key>"} elements.
// Its errors name the element and never quote a key.
func parseFaultScript(body []byte) ([]Fault, []string, error) {
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		body = append(append([]byte("["), body...), ']')
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(body, &elems); err != nil {
		return nil, nil, fmt.Errorf("body must be a JSON array of faults: %v", err)
	}
	var (
		faults []Fault
		keys   []string
	)
	for i, el := range elems {
		key, isRefusal, err := parseRefusal(el)
		if err != nil {
			return nil, nil, fmt.Errorf("element %d: %v", i+1, err)
		}
		if isRefusal {
			keys = append(keys, key)
			continue
		}
		var f Fault
		if err := json.Unmarshal(el, &f); err != nil {
			return nil, nil, fmt.Errorf("body must be a JSON array of faults: element %d: %v", i+1, err)
		}
		faults = append(faults, f)
	}
	return faults, keys, nil
}

// parseRefusal reads el if it is a refusal: an object whose one member is
// refuse_routing_key, a non-empty string.
func parseRefusal(el json.RawMessage) (key string, ok bool, err error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(el, &obj) != nil {
		return "", false, nil // not an object: Fault's decoding says why
	}
	raw, ok := obj[refuseField]
	if !ok {
		return "", false, nil
	}
	if len(obj) > 1 {
		others := make([]string, 0, len(obj)-1)
		for k := range obj {
			if k != refuseField {
				others = append(others, maskKeyLike(k))
			}
		}
		slices.Sort(others)
		return "", true, fmt.Errorf("%s stands alone; post the other fields (%s) as a separate fault", refuseField, strings.Join(others, ", "))
	}
	if json.Unmarshal(raw, &key) != nil || key == "" {
		return "", true, fmt.Errorf("%s must be a non-empty string: the routing key to refuse", refuseField)
	}
	return key, true, nil
}
