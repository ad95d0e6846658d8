// docs_find_record.flux (the documentation's second sendEvent example, made
// runnable) as an InfluxDB query: a query must return a table, so this one
// names the stream it reads, keeps sendEvent's HTTP status in `status` and
// ends with that stream's rows carrying it. sendEvent runs once, where
// `status` is defined; map() only copies the value. Without a table,
// InfluxDB 1.8 answers "this Flux script returns no streaming data" (HTTP
// 500) after the event was sent, and a client that retried the failed
// query would send it again.
//
// Run it in bin/influxd-fluxpd or bin/influxd2-fluxpd with
// PAGERDUTY_ROUTING_KEY set; scripts/influxd-e2e.sh (part g) runs it with
// pagerdutyURL pointed at the fluxpd emulator.
import "pagerduty"
import "influxdata/influxdb/secrets"

lastStatuses = from(bucket: "example-bucket")
    |> range(start: -10m)
    |> filter(fn: (r) => r._measurement == "statuses")
    |> last()
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")

lastReported = lastStatuses |> findRecord(fn: (key) => true, idx: 0)

status = pagerduty.sendEvent(
    pagerdutyURL: "https://events.pagerduty.com/v2/enqueue",
    routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"),
    client: lastReported.client,
    clientURL: lastReported.clientURL,
    dedupKey: lastReported.source,
    class: lastReported.class,
    eventAction: lastReported.eventAction,
    group: lastReported.group,
    severity: lastReported.status,
    component: lastReported.component,
    source: lastReported.source,
    summary: lastReported.summary,
    timestamp: lastReported._time,
    customDetails: {"ping time": lastReported.ping, cpu: lastReported.cpu},
)

lastStatuses
    |> map(fn: (r) => ({r with sendEventStatus: status}))
    |> yield(name: "sendEvent")
