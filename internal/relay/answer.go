package relay

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// PagerDuty's answers, as documented at
// https://developer.pagerduty.com/docs/events-api-v2-overview#response-codes--retry-logic,
// so that a sender reads the relay's exactly as it reads PagerDuty's.
const (
	statusSuccess      = "success"
	messageProcessed   = "Event processed"
	statusInvalid      = "invalid event"
	messageInvalid     = "Event object is invalid"
	statusUnrecognized = "Unrecognized object"
	messageUnrecog     = "Event object format is unrecognized"
	errParse           = "JSON parse error"
	// errInvalidKey is PagerDuty's error for an integration key it does
	// not know, as the emulator answers it (internal/emulator refuse.go).
	errInvalidKey = "Invalid routing key"
)

// answerBody is the JSON of every answer to an events request.
type answerBody struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

// fullRetryAfter is the Retry-After of the relay's own 429 (its outbox is
// full): PagerDuty's advice for a 429 is to retry 30 seconds apart.
const fullRetryAfter = 30

func writeAnswer(w http.ResponseWriter, status int, body answerBody) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(fullRetryAfter))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func accepted(dedupKey string) answerBody {
	return answerBody{Status: statusSuccess, Message: messageProcessed, DedupKey: dedupKey}
}

func invalid(errs ...string) answerBody {
	return answerBody{Status: statusInvalid, Message: messageInvalid, Errors: errs}
}

func unrecognized() answerBody {
	return answerBody{Status: statusUnrecognized, Message: messageUnrecog, Errors: []string{errParse}}
}
