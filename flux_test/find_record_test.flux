package pagerduty_test

import "testing"
import "csv"
import "pagerduty"

option now = () => 2030-01-01T00:00:00Z

// statuses holds two hosts' statuses, one table per host; db01's last status
// is crit at load 9.75.
statuses = "
#datatype,string,long,dateTime:RFC3339,string,string,string,double
#group,false,false,false,true,false,false,false
#default,_result,,,,,,
,result,table,_time,host,_level,summary,_value
,,0,2029-12-31T23:50:00Z,db01,ok,load normal,0.42
,,0,2029-12-31T23:55:00Z,db01,crit,load high,9.75
,,1,2029-12-31T23:55:00Z,db02,warn,load rising,3.5
"

// The documentation's second sendEvent example, reading its data with
// csv.from instead of from(bucket:): findRecord (Flux v0.68, backported by
// fluxpd) picks the last status of the first table.
lastReported = csv.from(csv: statuses)
    |> last()
    |> findRecord(fn: (key) => true, idx: 0)

inData = "
#datatype,string,long,string
#group,false,false,true
#default,_result,,
,result,table,check
,,0,cpu
"

outSend = "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,check,status
,,0,cpu,202
"

// Sends one event built from lastReported and returns its status in the
// input's row. The block runs once per test run, so one event is sent.
t_find_record_send_event = (table=<-) => {
    status = pagerduty.sendEvent(
        routingKey: "flux0test0routing0key00000000000",
        client: "fluxpd-e2e",
        clientURL: "http://127.0.0.1/",
        dedupKey: lastReported.host,
        class: "cpu load",
        group: "databases",
        severity: pagerduty.severityFromLevel(level: lastReported._level),
        eventAction: pagerduty.actionFromLevel(level: lastReported._level),
        source: lastReported.host,
        summary: "CPU load " + string(v: lastReported._value) + " on " + lastReported.host,
        timestamp: lastReported._time,
        customDetails: {load: lastReported._value, summary: lastReported.summary},
    )

    return table |> map(fn: (r) => ({r with status: status}))
}

test _find_record_send_event = () =>
    ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outSend), fn: t_find_record_send_event})

outFind = "
#datatype,string,long,string,string,double,double,long,string
#group,false,false,true,false,false,false,false,false
#default,_result,,,,,,,
,result,table,check,level,load,first,loads,hosts
,,0,cpu,warn,3.5,0.42,2,db02
"

// findRecord with a predicate on the group key and an index, findColumn
// for a whole column; the values land in the input's row.
t_find_record_find_column = (table=<-) => {
    db02 = csv.from(csv: statuses) |> findRecord(fn: (key) => key.host == "db02", idx: 0)
    loads = csv.from(csv: statuses) |> findColumn(fn: (key) => key.host == "db01", column: "_value")
    hosts = csv.from(csv: statuses) |> last() |> findColumn(fn: (key) => key.host == "db02", column: "host")

    return table |> map(fn: (r) => ({r with
        level: db02._level,
        load: db02._value,
        first: loads[0],
        loads: length(arr: loads),
        hosts: hosts[0],
    }))
}

test _find_record_find_column = () =>
    ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outFind), fn: t_find_record_find_column})
