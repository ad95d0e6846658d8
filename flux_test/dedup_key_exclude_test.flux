package pagerduty_test

import "testing"
import "pagerduty"

option now = () => 2030-01-01T00:00:00Z

// The input of dedup_key_test.flux: web01 crit, web02 crit, web01 ok.
inData = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double
#group,false,false,true,true,false,true,true,true,false
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,host,_level,_measurement,_value
,,0,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web01,crit,statuses,95.0
,,1,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web02,crit,statuses,97.0
,,2,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web01,ok,statuses,15.0
"

// With _level kept in the key (upstream v0.65.1's behaviour for _level), the
// trigger and the resolve get different keys: sha256 of
// "_level\ncrit\n_measurement\nstatuses\nhost\nweb01\n" and of the same
// with "ok". Excluded columns that do not exist are ignored.
outDataWithLevel = "
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,string,string,string,double,string
#group,false,false,true,true,false,true,true,true,false,false
#default,_result,,,,,,,,,
,result,table,_start,_stop,_time,host,_level,_measurement,_value,_pagerdutyDedupKey
,,0,2030-01-01T00:00:00Z,2030-01-01T00:01:00Z,2030-01-01T00:00:10Z,web01,crit,statuses,95.0,803e87a84f7874191ced4f51da3433c3a550e661caa6fc5bcf7693ffde9a6510
,,2,2030-01-01T00:01:00Z,2030-01-01T00:02:00Z,2030-01-01T00:01:10Z,web01,ok,statuses,15.0,276f108b33a9cab1248fc62396d71361eb13947103ae844801985f6c5ed698e2
"

t_dedup_key_exclude = (table=<-) => table
    |> filter(fn: (r) => r.host == "web01")
    |> pagerduty.dedupKey(exclude: ["_start", "_stop", "no_such_column"])

test _dedup_key_exclude = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outDataWithLevel), fn: t_dedup_key_exclude})
