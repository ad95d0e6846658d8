// Package pagerduty sends alert events to PagerDuty through the Events API v2.
//
// This is fluxpd's native package: events are validated, normalised and
// encoded in Go, then delivered with retries, timeouts and clear errors.
// See https://developer.pagerduty.com/docs/events-api-v2/overview/.
package pagerduty


import "strings"

// defaultURL is the Events API v2 URL that sendEvent posts alert events to.
option defaultURL = "https://events.pagerduty.com/v2/enqueue"

// maxRetries is how many times a send is retried after a 429, a 5xx or a
// network error (never after any other answer). Default: 3, so at most 4 attempts.
option maxRetries = 3

// attemptTimeout bounds one HTTP attempt, from connecting to reading the answer. Default: 10s.
option attemptTimeout = 10s

// deadline bounds one whole send, attempts and waits between them included. Default: 60s.
option deadline = 60s

builtin _sendEvent

// severityFromLevel converts a monitoring level to a PagerDuty severity.
//
// ## Parameters
// - level: Monitoring level, case-insensitive.
//   crit becomes critical, warn becomes warning, info and ok become info,
//   anything else becomes error.
//
// ## Examples
// ```
// import "pagerduty"
//
// pagerduty.severityFromLevel(level: "crit")
// // Returns "critical"
// ```
severityFromLevel = (level) => {
    lvl = strings.toLower(v: level)
    sev = if lvl == "warn" then "warning"
        else if lvl == "crit" then "critical"
        else if lvl == "info" then "info"
        else if lvl == "ok" then "info"
        else "error"

    return sev
}

// actionFromLevel converts a monitoring level to a PagerDuty event action.
//
// ## Parameters
// - level: Monitoring level, case-insensitive. ok becomes resolve, anything else becomes trigger.
//
// ## Examples
// ```
// import "pagerduty"
//
// pagerduty.actionFromLevel(level: "ok")
// // Returns "resolve"
// ```
actionFromLevel = (level) => if strings.toLower(v: level) == "ok" then "resolve" else "trigger"

// sendEvent sends one alert event to PagerDuty and returns the HTTP status
// code of PagerDuty's answer (202 when the event was accepted).
//
// An answer other than 2xx is returned as its status code, not raised, so a
// script can branch on it. Invalid parameters, and a network failure that
// outlasts the retries, are errors.
//
// ## Parameters
// - pagerdutyURL: Events API v2 URL. Default: `option defaultURL`.
// - routingKey: Integration key of an Events API v2 integration. Required, not empty.
// - client: Name of the monitoring client. Empty leaves it out.
// - clientURL: URL of the monitoring client. Empty leaves it out.
// - dedupKey: Deduplication key, at most 255 characters. Required for acknowledge and resolve.
//   Empty on a trigger lets PagerDuty generate one.
// - class: Class or type of the event, such as "ping failure". Empty leaves it out.
// - group: Logical grouping of components, such as "app-stack". Empty leaves it out.
// - severity: Severity of the event (trigger only).
//   Valid values: critical, error, warning, info (case-insensitive).
//   Use severityFromLevel to convert monitoring levels.
// - eventAction: Type of event. Valid values: trigger, acknowledge, resolve (case-insensitive).
//   Use actionFromLevel to convert monitoring levels.
// - source: Affected system, preferably a hostname or FQDN. Required for trigger.
// - component: Component responsible for the event, such as "mysql". Default: "" (left out).
// - summary: Brief description of the event. Required for trigger.
//   Longer than 1024 characters is cut to 1024, ending in "…".
// - timestamp: Time the event was detected: a time, or an ISO 8601 date-time string
//   such as "2016-07-17T08:42:58.315+0000". "" lets PagerDuty use the time it receives the event.
// - customDetails: Record of additional details; any nesting of records, arrays and basic values.
//   Default: {} (no details).
//
// ## Examples
// ```
// import "pagerduty"
// import "influxdata/influxdb/secrets"
//
// lastReported = from(bucket: "example-bucket")
//     |> range(start: -1m)
//     |> filter(fn: (r) => r._measurement == "statuses")
//     |> last()
//     |> tableFind(fn: (key) => true)
//     |> getRecord(idx: 0)
//
// pagerduty.sendEvent(
//     routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"),
//     client: lastReported.client,
//     clientURL: lastReported.clientURL,
//     dedupKey: lastReported.host,
//     class: lastReported.class,
//     group: lastReported.group,
//     severity: pagerduty.severityFromLevel(level: lastReported._level),
//     eventAction: pagerduty.actionFromLevel(level: lastReported._level),
//     source: lastReported.host,
//     summary: lastReported.summary,
//     timestamp: lastReported._time,
//     customDetails: {"ping time": lastReported.ping, load: lastReported.load},
// )
// ```
sendEvent = (
    pagerdutyURL=defaultURL,
    routingKey,
    client,
    clientURL,
    dedupKey,
    class,
    group,
    severity,
    eventAction,
    source,
    component="",
    summary,
    timestamp,
    customDetails={},
) => _sendEvent(
    pagerdutyURL: pagerdutyURL,
    routingKey: routingKey,
    client: client,
    clientURL: clientURL,
    dedupKey: dedupKey,
    class: class,
    group: group,
    severity: severity,
    eventAction: eventAction,
    source: source,
    component: component,
    summary: summary,
    timestamp: timestamp,
    customDetails: customDetails,
    maxRetries: maxRetries,
    attemptTimeout: attemptTimeout,
    deadline: deadline,
)
