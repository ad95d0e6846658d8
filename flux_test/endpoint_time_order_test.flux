package pagerduty_test

import "testing"
import "pagerduty"
import "strings"

option now = () => 2030-01-01T00:00:00Z

// web01 went warn, then crit, then ok. _level is a tag, as in InfluxDB's
// statuses, so storage returns one table per level in group-key order:
// crit, ok, warn. endpoint() must send the three events in the order of
// their _time (trigger warn, trigger crit, resolve), not in table order,
// or the alert would stay open although the host is fine. The emulator
// check (pagerduty_checks_test.go) finds the alert resolved.
inData = "
#datatype,string,long,dateTime:RFC3339,string,string,string,double
#group,false,false,false,true,true,true,false
#default,_result,,,,,,
,result,table,_time,host,_level,_measurement,_value
,,0,2030-01-01T00:00:20Z,web01,crit,statuses,95.0
,,1,2030-01-01T00:00:30Z,web01,ok,statuses,15.0
,,2,2030-01-01T00:00:10Z,web01,warn,statuses,75.0
"

outData = "
#datatype,string,long,dateTime:RFC3339,string,string,string,double,string,string,string,string
#group,false,false,false,true,true,true,false,false,false,false,false
#default,_result,,,,,,,,,,
,result,table,_time,host,_level,_measurement,_value,_pagerdutyDedupKey,_sent,_status,_body
,,0,2030-01-01T00:00:20Z,web01,crit,statuses,95.0,0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf,true,202,\"{'status':'success','message':'Event processed','dedup_key':'0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf'}\"
,,1,2030-01-01T00:00:30Z,web01,ok,statuses,15.0,0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf,true,202,\"{'status':'success','message':'Event processed','dedup_key':'0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf'}\"
,,2,2030-01-01T00:00:10Z,web01,warn,statuses,75.0,0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf,true,202,\"{'status':'success','message':'Event processed','dedup_key':'0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf'}\"
"

t_endpoint_time_order = (table=<-) => table
    |> pagerduty.endpoint()(
        mapFn: (r) => ({
            routingKey: "flux0test0routing0key00000000000",
            client: "fluxpd-e2e",
            clientURL: "",
            class: "cpu",
            group: "web",
            severity: pagerduty.severityFromLevel(level: r._level),
            eventAction: pagerduty.actionFromLevel(level: r._level),
            source: r.host,
            summary: "CPU at " + string(v: r._value) + "% on " + r.host,
            timestamp: r._time,
        }),
    )()
    |> map(fn: (r) => ({r with _body: strings.replaceAll(v: r._body, t: "\"", u: "'")}))

test _endpoint_time_order = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_endpoint_time_order})
