// Sends every monitoring status to PagerDuty with pagerduty.endpoint():
// each host's crit opens an alert and its later ok resolves it, because
// dedupKey() leaves _level out of the key. The output shows, per row,
// whether it was sent (_sent), PagerDuty's status (_status) and answer (_body).
//
//   PAGERDUTY_ROUTING_KEY=... fluxpd run --format table examples/endpoint.flux
import "csv"
import "pagerduty"
import "influxdata/influxdb/secrets"

statuses = "
#datatype,string,long,dateTime:RFC3339,string,string,string,string
#group,false,false,false,true,true,false,false
#default,_result,,,,,,
,result,table,_time,host,_level,check,_message
,,0,2024-05-01T10:00:00Z,web01,crit,http,HTTP check failed on web01
,,1,2024-05-01T10:00:00Z,db01,warn,disk,Disk 91% full on db01
,,2,2024-05-01T10:05:00Z,web01,ok,http,HTTP check recovered on web01
"

toPagerDuty = pagerduty.endpoint()
routingKey = secrets.get(key: "PAGERDUTY_ROUTING_KEY")

csv.from(csv: statuses)
    |> toPagerDuty(mapFn: (r) => ({
        routingKey: routingKey,
        client: "fluxpd example",
        clientURL: "https://monitoring.example.com",
        class: r.check,
        group: "production",
        severity: pagerduty.severityFromLevel(level: r._level),
        eventAction: pagerduty.actionFromLevel(level: r._level),
        source: r.host,
        summary: r._message,
        timestamp: r._time,
    }))()
    |> keep(columns: ["_time", "host", "_level", "_sent", "_status", "_body"])
