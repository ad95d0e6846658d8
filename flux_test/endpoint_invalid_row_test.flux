package pagerduty_test

import "testing"
import "pagerduty"
import "strings"

option now = () => 2030-01-01T00:00:00Z

// One row of four asks for a severity PagerDuty does not know. That row is
// reported (not sent, status 0, the reason in _body) and every other row is
// still sent; the query does not fail. The emulator check (checks_test.go)
// finds exactly the three valid events.
inData = "
#datatype,string,long,dateTime:RFC3339,string,string
#group,false,false,false,true,false
#default,_result,,,,
,result,table,_time,host,severity
,,0,2030-01-01T00:00:10Z,web01,critical
,,1,2030-01-01T00:00:20Z,web02,bogus
,,2,2030-01-01T00:00:30Z,web03,warning
,,3,2030-01-01T00:00:40Z,web04,Info
"

// The keys are sha256 of "host\nweb01\n" and so on. Double quotes in _body
// are turned into single ones by t_endpoint_invalid_row.
outData = "
#datatype,string,long,dateTime:RFC3339,string,string,string,string,string,string
#group,false,false,false,true,false,false,false,false,false
#default,_result,,,,,,,,
,result,table,_time,host,severity,_pagerdutyDedupKey,_sent,_status,_body
,,0,2030-01-01T00:00:10Z,web01,critical,caf6b08d31af65e410738e553fc7dca10b7bdf527d1d872537089be4acf45c8c,true,202,\"{'status':'success','message':'Event processed','dedup_key':'caf6b08d31af65e410738e553fc7dca10b7bdf527d1d872537089be4acf45c8c'}\"
,,1,2030-01-01T00:00:20Z,web02,bogus,a624cba2245ebe8bcd98db9d2ac0db0b008d9fd1d1beb537044809f1423bab48,false,0,\"severity must be one of critical, error, warning, info; got 'bogus' (hint: pagerduty.severityFromLevel(level: 'bogus') maps monitoring levels such as crit, warn, info and ok to PagerDuty severities)\"
,,2,2030-01-01T00:00:30Z,web03,warning,6104e0016c17e47317d2b4032f8507ed9fd57caccebd8e3b2f8b077d481289eb,true,202,\"{'status':'success','message':'Event processed','dedup_key':'6104e0016c17e47317d2b4032f8507ed9fd57caccebd8e3b2f8b077d481289eb'}\"
,,3,2030-01-01T00:00:40Z,web04,Info,fe32f4191a2e78bb0fcb4dac71200c2140090a8756f38b62e28ee1895b2cef70,true,202,\"{'status':'success','message':'Event processed','dedup_key':'fe32f4191a2e78bb0fcb4dac71200c2140090a8756f38b62e28ee1895b2cef70'}\"
"

t_endpoint_invalid_row = (table=<-) => table
    |> pagerduty.endpoint(concurrency: 2)(
        mapFn: (r) => ({
            routingKey: "flux0test0routing0key00000000000",
            client: "fluxpd-e2e",
            clientURL: "http://127.0.0.1/",
            class: "disk",
            group: "web",
            severity: r.severity,
            eventAction: "trigger",
            source: r.host,
            summary: "disk check on " + r.host,
            timestamp: r._time,
        }),
    )()
    |> map(fn: (r) => ({r with _body: strings.replaceAll(v: r._body, t: "\"", u: "'")}))

test _endpoint_invalid_row = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_endpoint_invalid_row})
