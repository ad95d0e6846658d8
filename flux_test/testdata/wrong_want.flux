package pagerduty_test

import "testing"
import "pagerduty"

// A test whose want is wrong on purpose (the status is 202, not 400): the
// runner must report it as failed.

inData = "
#datatype,string,long,string
#group,false,false,true
#default,_result,,
,result,table,host
,,0,web01
"

outData = "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,host,status
,,0,web01,400
"

t_wrong = (table=<-) => table
    |> map(fn: (r) => ({r with
        status: pagerduty.sendEvent(
            // Inside map(), Flux v0.65.1 does not apply option overrides to
            // package defaults: pass the URL explicitly.
            pagerdutyURL: pagerduty.defaultURL,
            routingKey: "flux0test0routing0key00000000000",
            client: "", clientURL: "", dedupKey: r.host, class: "", group: "",
            severity: "info", eventAction: "trigger", source: r.host, summary: "wrong want", timestamp: "",
        ),
    }))

test _wrong = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_wrong})
