package relaytest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"syscall"
)

// maxAnswer caps what Post reads of an answer.
const maxAnswer = 64 << 10

// Answer is a relay's answer to one POST.
type Answer struct {
	Status int
	Body   []byte
}

// Post sends an event body to url. Without an answer the error says so;
// NeverArrived tells whether the request could not have reached the relay.
func Post(ctx context.Context, client *http.Client, url string, body []byte) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return Answer{}, err
	}
	return Answer{Status: resp.StatusCode, Body: b}, nil
}

// NeverArrived reports whether err, from Post, means the request did not
// reach a server: the connection was refused (nothing listens, as while a
// killed relay restarts). Any other error leaves it open whether the relay
// received, and even stored, the event.
func NeverArrived(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
