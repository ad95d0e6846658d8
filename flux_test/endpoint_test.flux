package pagerduty_test

import "testing"
import "pagerduty"
import "strings"

option now = () => 2030-01-01T00:00:00Z

// A monitoring stream from two runs of a check: web01 and web02 go crit in
// the first window and back to ok in the second. _start, _stop and _level
// are in the group key, so every row is a table of its own; endpoint's
// dedup key must still pair each host's trigger with its resolve, and the
// resolve must not overtake the trigger. The emulator check (checks_test.go)
// then finds both alerts triggered, then resolved.
inData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double
#group,false,false,true,true,false,true,true,true,false
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,host,_level,_measurement,_value
,,0,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web01,crit,statuses,95.0
,,1,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web02,crit,statuses,97.0
,,2,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web01,ok,statuses,15.0
,,3,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web02,ok,statuses,17.0
"

// The keys are sha256 of "_measurement\nstatuses\nhost\nweb01\n" and of the
// same with web02. PagerDuty's answers are JSON; t_endpoint turns their
// double quotes into single ones so that they read well in this CSV.
outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double,string,string,string,string
#group,false,false,true,true,false,true,true,true,false,false,false,false,false
#default,_result,,,,,,,,,,,,
,result,table,_start,_stop,_time,host,_level,_measurement,_value,_pagerdutyDedupKey,_sent,_status,_body
,,0,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web01,crit,statuses,95.0,0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf,true,202,\"{'status':'success','message':'Event processed','dedup_key':'0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf'}\"
,,1,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web02,crit,statuses,97.0,83170d96e6c4bd55988514fe124630c03c09fdd796bb4292be0a70dc0ea84978,true,202,\"{'status':'success','message':'Event processed','dedup_key':'83170d96e6c4bd55988514fe124630c03c09fdd796bb4292be0a70dc0ea84978'}\"
,,2,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web01,ok,statuses,15.0,0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf,true,202,\"{'status':'success','message':'Event processed','dedup_key':'0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf'}\"
,,3,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web02,ok,statuses,17.0,83170d96e6c4bd55988514fe124630c03c09fdd796bb4292be0a70dc0ea84978,true,202,\"{'status':'success','message':'Event processed','dedup_key':'83170d96e6c4bd55988514fe124630c03c09fdd796bb4292be0a70dc0ea84978'}\"
"

t_endpoint = (table=<-) => table
    |> pagerduty.endpoint()(
        mapFn: (r) => ({
            routingKey: "flux0test0routing0key00000000000",
            client: "fluxpd-e2e",
            clientURL: "http://127.0.0.1/",
            class: "cpu",
            group: "web",
            severity: pagerduty.severityFromLevel(level: r._level),
            eventAction: pagerduty.actionFromLevel(level: r._level),
            source: r.host,
            summary: "CPU at " + string(v: r._value) + "% on " + r.host,
            timestamp: r._time,
            customDetails: {value: r._value, level: r._level},
        }),
    )()
    |> map(fn: (r) => ({r with _body: strings.replaceAll(v: r._body, t: "\"", u: "'")}))

test _endpoint = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_endpoint})
