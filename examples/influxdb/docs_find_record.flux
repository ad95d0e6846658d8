// The second example of pagerduty.sendEvent()'s documentation (Flux v0.x,
// "Send the last reported status to PagerDuty"), changed only where no Flux
// can run it as printed:
//   - pivot() after last(): from() returns one table per field, with the
//     value in _value, so lastReported.client and the other fields exist as
//     columns only once the fields are pivoted into one row;
//   - dedupKey added: sendEvent requires it (type error "missing required
//     parameter(s) "dedupKey"");
//   - the second `component:` dropped: Flux refuses a call that names a
//     parameter twice ("duplicate keyword parameter specified");
//   - the placeholder key "example-routing-key" (19 characters; PagerDuty's
//     keys have 32) read with secrets.get, which the example imports.
//
// It reads InfluxDB's storage: run it in bin/influxd-fluxpd (InfluxDB 1.8.10,
// where the bucket "example-bucket" is the database of that name, default
// retention policy) or bin/influxd2-fluxpd, with PAGERDUTY_ROUTING_KEY set.
// As a query, InfluxDB 1.8 sends the event and then answers "this Flux script
// returns no streaming data": docs_find_record_table.flux ends with a table.
// scripts/influxd-e2e.sh (part g) runs it with pagerdutyURL pointed at the
// fluxpd emulator.
import "pagerduty"
import "influxdata/influxdb/secrets"

lastReported = from(bucket: "example-bucket")
    |> range(start: -10m)
    |> filter(fn: (r) => r._measurement == "statuses")
    |> last()
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    |> findRecord(fn: (key) => true, idx: 0)

pagerduty.sendEvent(
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
