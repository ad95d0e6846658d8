// Package delivery posts ready-made PagerDuty Events API v2 bodies over HTTP,
// retrying the answers PagerDuty documents as transient.
//
// It knows nothing about event fields: the body is built and validated
// elsewhere and sent byte for byte, identical on every retry, so that the
// event's dedup_key keeps retries idempotent. Errors are typed (*Error) and
// never quote the request body or a URL's userinfo or query string.
//
// PagerDuty's retry guidance:
// https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#response-codes--retry-logic
package delivery
