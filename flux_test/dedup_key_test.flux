package pagerduty_test

import "testing"
import "pagerduty"

option now = () => 2030-01-01T00:00:00Z

// Two runs of a check: web01 is crit in the first window and ok in the
// second. _start, _stop and _level are in the group key, so each row is in a
// table of its own; the keys must still pair web01's trigger with its
// resolve. Expected keys are sha256 of "_measurement\nstatuses\nhost\nweb01\n"
// and "_measurement\nstatuses\nhost\nweb02\n", computed outside fluxpd.
inData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double
#group,false,false,true,true,false,true,true,true,false
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,host,_level,_measurement,_value
,,0,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web01,crit,statuses,95.0
,,1,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web02,crit,statuses,97.0
,,2,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web01,ok,statuses,15.0
"

outData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double,string
#group,false,false,true,true,false,true,true,true,false,false
#default,_result,,,,,,,,,
,result,table,_start,_stop,_time,host,_level,_measurement,_value,_pagerdutyDedupKey
,,0,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web01,crit,statuses,95.0,0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf
,,1,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web02,crit,statuses,97.0,83170d96e6c4bd55988514fe124630c03c09fdd796bb4292be0a70dc0ea84978
,,2,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web01,ok,statuses,15.0,0f158d19a1246fffb76557ab5459c5c2e8ba0ff31ad7fb3deaff7723fea797cf
"

t_dedup_key = (table=<-) => table |> pagerduty.dedupKey()

test _dedup_key = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_dedup_key})
