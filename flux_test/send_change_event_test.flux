package pagerduty_test

import "testing"
import "pagerduty"

option now = () => 2030-01-01T00:00:00Z

// The events are sent while the script is evaluated, not inside map(): in
// Flux v0.65.1 a package function called by a running query sees the
// package's options as declared, not as the runner set them, and would use
// the real defaultChangeURL. The calls give a time, a string or no
// timestamp; the emulator check (pagerduty_checks_test.go) reads what
// arrived.
withTime = pagerduty.sendChangeEvent(
    routingKey: "flux0test0routing0key00000000000",
    summary: "Deployed api v1.4.2",
    source: "ci.example.com",
    timestamp: 2030-01-01T00:00:00Z,
    customDetails: {version: "v1.4.2", canary: false},
    links: [{href: "https://ci.example.com/builds/42", text: "Build 42"}, {href: "https://ci.example.com/diff/42"}],
)
withSecondTime = pagerduty.sendChangeEvent(
    routingKey: "flux0test0routing0key00000000000",
    summary: "Rolled back api to v1.4.1",
    timestamp: "2030-01-01T00:05:00.123+0000",
)
withoutTimestamp = pagerduty.sendChangeEvent(routingKey: "flux0test0routing0key00000000000", summary: "Scaled api to 6 replicas")

inData = "
#datatype,string,long,string
#group,false,false,true
#default,_result,,
,result,table,call
,,0,withTime
,,1,withSecondTime
,,2,withoutTimestamp
"

outData = "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,call,status
,,0,withTime,202
,,1,withSecondTime,202
,,2,withoutTimestamp,202
"

t_send_change_event = (table=<-) => table
    |> map(fn: (r) => ({r with
        status: if r.call == "withTime" then withTime else if r.call == "withSecondTime" then withSecondTime else withoutTimestamp,
    }))

test _send_change_event = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_send_change_event})
