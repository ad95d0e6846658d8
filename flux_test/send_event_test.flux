package pagerduty_test

import "testing"
import "pagerduty"

option now = () => 2030-01-01T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,string,string,string
#group,false,false,false,true,false,false
#default,_result,,,,,
,result,table,_time,host,_level,summary
,,0,2018-05-22T19:53:26Z,web01,crit,disk full
,,1,2018-05-22T19:54:26Z,web02,WARN,cpu high
,,2,2018-05-22T19:55:26Z,web03,ok,all good
"

outData = "
#datatype,string,long,dateTime:RFC3339,string,string,string,long
#group,false,false,false,true,false,false,false
#default,_result,,,,,,
,result,table,_time,host,_level,summary,status
,,0,2018-05-22T19:53:26Z,web01,crit,disk full,202
,,1,2018-05-22T19:54:26Z,web02,WARN,cpu high,202
,,2,2018-05-22T19:55:26Z,web03,ok,all good,202
"

// Every status becomes a trigger with the severity its level maps to; each
// send returns PagerDuty's 202.
t_send_event = (table=<-) => table
    |> map(fn: (r) => ({r with
        // No pagerdutyURL: the runner's option pagerduty.defaultURL
        // reaches sendEvent inside map() too.
        status: pagerduty.sendEvent(
            routingKey: "flux0test0routing0key00000000000",
            client: "fluxpd-e2e",
            clientURL: "http://127.0.0.1/",
            dedupKey: r.host,
            class: "e2e",
            group: "web",
            severity: pagerduty.severityFromLevel(level: r._level),
            eventAction: "trigger",
            source: r.host,
            summary: r.summary,
            timestamp: r._time,
            customDetails: {level: r._level, "checked at": r._time},
        ),
    }))

test _send_event = () =>
    ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_send_event})
