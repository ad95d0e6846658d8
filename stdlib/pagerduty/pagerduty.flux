// Package pagerduty sends alert events to PagerDuty through the Events API v2.
//
// This is fluxpd's native package: events are validated, normalised and
// encoded in Go, then delivered with retries, timeouts and clear errors.
// It offers upstream's functions (sendEvent, endpoint, dedupKey and the level
// helpers) and adds sendChangeEvent, links and images.
// See https://developer.pagerduty.com/docs/events-api-v2/overview/.
package pagerduty

// Options apply to every call of a query (top level, inside map(), in
// functions called from map(), in endpoint()), as the script sets them:
// fluxpd's hosts read them before the script runs. The host may replace the
// default URLs (an InfluxDB server's FLUXPD_PAGERDUTY_URL, say); a script's
// options and arguments win over the host's.

// defaultURL is the Events API v2 URL that sendEvent and endpoint post alert events to.
option defaultURL = "https://events.pagerduty.com/v2/enqueue"

// defaultChangeURL is the Events API v2 URL that sendChangeEvent posts change events to.
option defaultChangeURL = "https://events.pagerduty.com/v2/change/enqueue"

// maxRetries is how many times a send is retried after a 429, a 5xx or a
// network error (never after any other answer). Default: 3, so at most 4 attempts.
option maxRetries = 3

// attemptTimeout bounds one HTTP attempt, from connecting to reading the answer. Default: 10s.
option attemptTimeout = 10s

// deadline bounds one whole send, attempts and waits between them included. Default: 60s.
option deadline = 60s

builtin _endpoint

// dedupKey adds the string column `_pagerdutyDedupKey` to every row: a
// deduplication key derived from the row's group key.
//
// The key is the hex-encoded SHA-256 of the group key columns, excluded
// columns left out, sorted by label and written as `label\nvalue\n` each.
// This matches newest upstream Flux, so both produce the same key for the
// same data. By default `_start`, `_stop` and `_level` are left out, so that
// a trigger (level crit) and its resolve (level ok) of the same series, from
// different runs of a check, share one key and the resolve closes the alert.
//
// ## Parameters
// - exclude: Group key columns to leave out of the key; columns that do not
//   exist are ignored, and [] keeps the whole group key.
//   Default: ["_start", "_stop", "_level"].
// - tables: Input data. Default: piped-forward data (`<-`).
//
// ## Examples
// ```
// import "pagerduty"
//
// from(bucket: "example-bucket")
//     |> range(start: -5m)
//     |> filter(fn: (r) => r._measurement == "statuses")
//     |> pagerduty.dedupKey()
// // Adds _pagerdutyDedupKey, the same for every row of a series
// // whatever its _level.
// ```
builtin dedupKey

// severityFromLevel converts a monitoring level to a PagerDuty severity.
//
// ## Parameters
// - level: Monitoring level, case-insensitive.
//   crit becomes critical, warn becomes warning, info and ok become info,
//   anything else (null included) becomes error.
//
// ## Examples
// ```
// import "pagerduty"
//
// pagerduty.severityFromLevel(level: "crit")
// // Returns "critical"
// ```
builtin severityFromLevel

// actionFromLevel converts a monitoring level to a PagerDuty event action.
//
// ## Parameters
// - level: Monitoring level, case-insensitive. ok becomes resolve, anything else
//   (null included) becomes trigger.
//
// ## Examples
// ```
// import "pagerduty"
//
// pagerduty.actionFromLevel(level: "ok")
// // Returns "resolve"
// ```
builtin actionFromLevel

// actionFromSeverity converts a severity to a PagerDuty event action, as
// newest upstream Flux does.
//
// ## Parameters
// - severity: Severity or monitoring level, case-insensitive. ok becomes resolve,
//   anything else (null included) becomes trigger.
//
// ## Examples
// ```
// import "pagerduty"
//
// pagerduty.actionFromSeverity(severity: "crit")
// // Returns "trigger"
// ```
builtin actionFromSeverity

// sendEvent sends one alert event to PagerDuty and returns the HTTP status
// code of PagerDuty's answer (202 when the event was accepted).
//
// An answer other than 2xx is returned as its status code, not raised, so a
// script can branch on it. Invalid parameters, and a network failure that
// outlasts the retries, are errors.
//
// Called inside map(), sendEvent sees the script's options, as everywhere
// (upstream's sendEvent does not: it sees the package defaults there).
// A parameter of the wrong type is an error that names it, the type it takes
// and the value given, such as `severity must be a string such as
// "critical"; got int 3`.
//
// ## Parameters
// - pagerdutyURL: Events API v2 URL. Default: `option defaultURL`.
// - routingKey: Integration key of an Events API v2 integration: 32 characters. Required.
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
//   Use actionFromLevel to convert monitoring levels. An acknowledge or resolve carries the
//   same payload as a trigger when its payload fields are complete and valid (rulesets route
//   on it), and goes without payload otherwise: it is never refused for them.
// - source: Affected system, preferably a hostname or FQDN. Required for trigger.
// - component: Component responsible for the event, such as "mysql". Default: "" (left out).
// - summary: Brief description of the event. Required for trigger.
//   Longer than 1024 characters is cut to 1024, ending in "…", and the host logs a note.
// - timestamp: Time the event was detected: a time, or an ISO 8601 date-time string
//   such as "2016-07-17T08:42:58.315+0000". "" lets PagerDuty use the time it receives the event.
// - customDetails: Record of additional details; any nesting of records, arrays and basic values.
//   Default: {} (no details).
// - links: Links shown with the alert, an array of records `{href, text}`. href is required,
//   text may be left out. Default: none.
// - images: Images shown with the alert, an array of records `{src, href, alt}`. src is required
//   and must be an https URL; href and alt may be left out. Default: none.
//
// Records in one links or images array may have different keys, such as
// `[{href: a}, {href: b, text: "Runbook"}]`. For no links or images, leave the
// parameter out: Flux v0.65.1 cannot evaluate an empty array literal `[]`
// whose element type is unknown, and fails with "expecting array type".
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
//     links: [{href: "https://runbooks.example.com/ping", text: "Runbook"}],
// )
// ```
builtin sendEvent

// sendChangeEvent sends one change event to PagerDuty, such as a deploy or a
// configuration change, and returns the HTTP status code of PagerDuty's
// answer (202 when the event was accepted).
//
// Change events are shown beside a service's incidents to give context;
// they open no incident. As with sendEvent, an answer other than 2xx is
// returned as its status code, and invalid parameters or a network failure
// that outlasts the retries are errors. See
// https://developer.pagerduty.com/docs/send-change-event.
//
// ## Parameters
// - pagerdutyURL: Change events URL. Default: `option defaultChangeURL`.
// - routingKey: Integration key of an Events API v2 integration: 32 characters. Required.
//   Ruleset keys (starting with R) are refused: PagerDuty does not take change events for them.
// - summary: Brief description of the change. Required, not empty.
//   Longer than 1024 characters is cut to 1024, ending in "…", and the host logs a note.
// - source: System that made the change, such as a CI server. Default: "" (left out).
// - timestamp: Time of the change: a time, or an ISO 8601 date-time string
//   such as "2016-07-17T08:42:58.315+0000". Default: none, which lets PagerDuty use
//   the time it receives the event; "" does the same. (now() is not the default: in a
//   task it is the scheduled time, which may be well before the change was sent.)
// - customDetails: Record of additional details; any nesting of records, arrays and basic values.
//   Default: {} (no details).
// - links: Links shown with the change, an array of records `{href, text}`. href is required,
//   text may be left out. Default: none (leave it out rather than pass `[]`; see sendEvent).
//
// ## Examples
// ```
// import "pagerduty"
// import "influxdata/influxdb/secrets"
//
// pagerduty.sendChangeEvent(
//     routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"),
//     summary: "Deployed api v1.4.2",
//     source: "ci.example.com",
//     customDetails: {version: "v1.4.2", commit: "9f3c2e1"},
//     links: [{href: "https://ci.example.com/builds/42", text: "Build 42"}],
// )
// ```
builtin sendChangeEvent

// endpoint returns a function that sends one alert event to PagerDuty for
// every row of its input and returns the rows with the outcome added.
//
// `pagerduty.endpoint()` returns a function that takes `mapFn`, which returns
// the function to pipe tables into. For every row, `mapFn(r)` returns a
// record describing the event, with the fields of sendEvent:
// `routingKey`, `client`, `clientURL`, `class`, `group`, `severity`,
// `eventAction`, `source`, `summary`, `timestamp`, and optionally
// `component`, `customDetails`, `links`, `images` and `dedupKey`. A missing or
// null field counts as empty, so a resolve needs only `routingKey` and
// `eventAction`. The dedup key is the row's `_pagerdutyDedupKey` (see
// dedupKey), unless `mapFn` returns a non-empty `dedupKey`. `links` and
// `images` take the arrays sendEvent takes; as there, leave them out rather
// than return `[]`.
//
// The output holds the input rows in their order, with four string columns:
// - `_pagerdutyDedupKey`: the dedup key sent (or generated by PagerDuty when none was).
// - `_sent`: "true" when PagerDuty answered 2xx, else "false".
// - `_status`: the HTTP status code, or "0" when no request could be made or no answer came.
// - `_body`: PagerDuty's answer, or why the row was not sent.
//
// A row that cannot be sent (an invalid field, a network failure that
// outlasts the retries) is reported in these columns and never stops the
// other rows or the query. Events are sent concurrently, at most
// `concurrency` at once; events with the same dedup key are sent one after
// another in the order of their `_time` (or their timestamp when the row has
// no `_time`), whatever the order of the input tables, so a resolve never
// overtakes its trigger. Storage returns statuses one table per `_level`
// (crit, ok, warn...); that order is not the order in which they happened.
//
// ## Parameters
// - url: Events API v2 URL. Default: "", which means `option defaultURL`.
// - concurrency: Most events sent at once, from 1 to 64. Default: 16, enough to hide the
//   round-trip time of a burst of alerts; more would not help much, as PagerDuty limits
//   events per routing key (about 120 a minute), not connections.
//   1 sends one event at a time, as upstream does.
//
// Retries and timeouts follow the options maxRetries, attemptTimeout and deadline,
// per event. Events are sent once the whole input has been read, since a later
// table may hold an earlier event of the same alert: each pending event keeps
// its encoded body (about half a kilobyte) until then.
//
// ## Examples
// ```
// import "pagerduty"
// import "influxdata/influxdb/secrets"
//
// routingKey = secrets.get(key: "PAGERDUTY_ROUTING_KEY")
// toPagerDuty = pagerduty.endpoint()
//
// from(bucket: "example-bucket")
//     |> range(start: -1m)
//     |> filter(fn: (r) => r._measurement == "statuses")
//     |> toPagerDuty(
//         mapFn: (r) => ({
//             routingKey: routingKey,
//             client: "fluxpd",
//             clientURL: "https://monitoring.example.com",
//             class: r._check_name,
//             group: r.group,
//             severity: pagerduty.severityFromLevel(level: r._level),
//             eventAction: pagerduty.actionFromLevel(level: r._level),
//             source: r.host,
//             summary: r._message,
//             timestamp: r._time,
//             customDetails: {value: r._value},
//         }),
//     )()
//     |> filter(fn: (r) => r._sent == "false")
// // Keeps the rows PagerDuty did not accept, with the reason in _body.
// ```
endpoint = (url="", concurrency=16) =>
    (mapFn) =>
        (tables=<-) =>
            tables
                |> dedupKey()
                |> _endpoint(url: url, mapFn: mapFn, concurrency: concurrency)
