// Sends the last reported status to PagerDuty: the documented
// pagerduty.sendEvent example, made runnable on its own.
//
//   PAGERDUTY_ROUTING_KEY=... fluxpd run examples/send_event.flux
//
// Without --live, fluxpd sends to its built-in PagerDuty emulator, which
// prints what it received after the run. The data comes from csv.from
// instead of from(bucket:), so the script needs no InfluxDB.
import "csv"
import "pagerduty"
import "influxdata/influxdb/secrets"

statuses = "
#datatype,string,long,dateTime:RFC3339,string,string,string,string,string,string,double,string
#group,false,false,false,true,false,false,false,false,false,false,true
#default,_result,,,,,,,,,,
,result,table,_time,host,_level,client,clientURL,class,group,load,_measurement
,,0,2024-05-01T10:00:00Z,db01.example.com,ok,telegraf,https://monitoring.example.com,cpu load,databases,0.42,statuses
,,0,2024-05-01T10:05:00Z,db01.example.com,crit,telegraf,https://monitoring.example.com,cpu load,databases,9.75,statuses
"

lastReported = csv.from(csv: statuses)
    |> last(column: "_time")
    |> tableFind(fn: (key) => true)
    |> getRecord(idx: 0)

pagerduty.sendEvent(
    routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"),
    client: lastReported.client,
    clientURL: lastReported.clientURL,
    dedupKey: lastReported.host,
    class: lastReported.class,
    group: lastReported.group,
    severity: pagerduty.severityFromLevel(level: lastReported._level),
    eventAction: pagerduty.actionFromLevel(level: lastReported._level),
    source: lastReported.host,
    summary: "CPU load " + string(v: lastReported.load) + " on " + lastReported.host,
    timestamp: lastReported._time,
    customDetails: {load: lastReported.load, level: lastReported._level},
)
