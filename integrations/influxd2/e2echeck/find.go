package main

// findRecord and findColumn, backported from Flux v0.68 to v0.65.1
// (stdlib/universe of fluxpd), as InfluxDB 2.0.0-beta.8's queries see them.

import "fmt"

// findQuery reads two tables (host web-1: 10, 20; host db-1: 30, 40) and
// returns one row with db-1's record at idx 1 and web-1's _value column.
const findQuery = `import "csv"
data = "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,host,_value
,,0,web-1,10
,,0,web-1,20
,,1,db-1,30
,,1,db-1,40
"
tables = csv.from(csv: data)
rec = tables |> findRecord(fn: (key) => key.host == "db-1", idx: 1)
col = tables |> findColumn(fn: (key) => key.host == "web-1", column: "_value")
tables
    |> filter(fn: (r) => r.host == "db-1")
    |> limit(n: 1)
    |> map(fn: (r) => ({host: r.host, record: rec._value, column0: col[0], column1: col[1]}))
`

// findBackports runs findQuery and checks its one row.
func (s *runner) findBackports() {
	s.Check("findRecord and findColumn (backported from Flux v0.68) work in queries", s.findRows())
}

func (s *runner) findRows() error {
	rows, err := s.query(findQuery)
	if err != nil {
		return err
	}
	want := map[string]string{"host": "db-1", "record": "40", "column0": "10", "column1": "20"}
	if len(rows) != 1 {
		return fmt.Errorf("%d rows, want 1: %v", len(rows), rows)
	}
	for k, v := range want {
		if rows[0][k] != v {
			return fmt.Errorf("%s=%q, want %q (findRecord: db-1's idx 1 is 40; findColumn: web-1's _value is [10, 20]); row: %v", k, rows[0][k], v, rows[0])
		}
	}
	return nil
}
