// Package delivery posts ready-made PagerDuty Events API v2 bodies over HTTP,
// retrying the answers PagerDuty documents as transient.
//
// It knows nothing about event fields: the body is built and validated
// elsewhere and sent byte for byte, identical on every retry, so that the
// event's dedup_key keeps retries idempotent. Errors are typed (*Error).
//
// # No leak
//
// delivery is the layer that guarantees that nothing it returns leaks what
// it was handed: every Response and *Error from Sender.Send has the request
// body, the URL's userinfo and query string and the secrets passed to Send
// masked (see newMask), whatever the server or a cause quotes. It finds no
// secret by itself, so callers pass the routing key to Send. Only the cause
// behind Error.Unwrap keeps its own text, for errors.Is and errors.As.
//
// PagerDuty's retry guidance:
// https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#response-codes--retry-logic
package delivery
