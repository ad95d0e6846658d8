package pagerduty_test

import "testing"
import "pagerduty"

option now = () => 2030-01-01T00:00:00Z

// severityFromLevel, actionFromLevel and actionFromSeverity on every
// monitoring level, in any case, and on values they do not know.
inData = "
#datatype,string,long,string
#group,false,false,false
#default,_result,,
,result,table,level
,,0,crit
,,0,CRIT
,,0,warn
,,0,Warn
,,0,info
,,0,ok
,,0,OK
,,0,critical
,,0,
,,0,unknown
"

outData = "
#datatype,string,long,string,string,string,string
#group,false,false,false,false,false,false
#default,_result,,,,,
,result,table,level,severity,actionFromLevel,actionFromSeverity
,,0,crit,critical,trigger,trigger
,,0,CRIT,critical,trigger,trigger
,,0,warn,warning,trigger,trigger
,,0,Warn,warning,trigger,trigger
,,0,info,info,trigger,trigger
,,0,ok,info,resolve,resolve
,,0,OK,info,resolve,resolve
,,0,critical,error,trigger,trigger
,,0,,error,trigger,trigger
,,0,unknown,error,trigger,trigger
"

t_levels = (table=<-) => table
    |> map(fn: (r) => ({r with
        severity: pagerduty.severityFromLevel(level: r.level),
        actionFromLevel: pagerduty.actionFromLevel(level: r.level),
        actionFromSeverity: pagerduty.actionFromSeverity(severity: r.level),
    }))

test _levels = () => ({input: testing.loadStorage(csv: inData), want: testing.loadMem(csv: outData), fn: t_levels})
