package pagerduty_test

import "testing"
import "pagerduty"

option now = () => 2030-01-01T00:00:00Z

// sendEvent with links and images. Records in one array may have different
// keys: text, href and alt can be left out. The event is sent while the
// script is evaluated (see send_change_event_test.flux for why not inside
// map()); the emulator check (checks_test.go) reads the links and images
// that arrived.
status = pagerduty.sendEvent(
    routingKey: "flux0test0routing0key00000000000",
    client: "fluxpd-e2e",
    clientURL: "http://127.0.0.1/",
    dedupKey: "db01/disk",
    class: "disk",
    group: "db",
    severity: "critical",
    eventAction: "trigger",
    source: "db01",
    summary: "Disk full on db01",
    timestamp: 2030-01-01T00:00:00Z,
    links: [{href: "https://runbooks.example.com/disk", text: "Runbook"}, {href: "https://db01.example.com"}],
    images: [{src: "https://graphs.example.com/db01-disk.png", href: "https://graphs.example.com/db01", alt: "Disk usage"}, {src: "https://graphs.example.com/db01-io.png"}],
)

inData = "
#datatype,string,long,string
#group,false,false,true
#default,_result,,
,result,table,host
,,0,db01
"

outData = "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,host,status
,,0,db01,202
"

t_send_event_links = (table=<-) => table |> map(fn: (r) => ({r with status: status}))

test _send_event_links = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_send_event_links})
