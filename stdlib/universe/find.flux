package universe

// findRecord returns one row of the first table of a stream whose group key
// matches fn, as a record. Backported from Flux v0.68, where it is
// `(fn, idx, tables=<-) => tables |> tableFind(fn) |> getRecord(idx)`.
//
// ## Parameters
// - fn: predicate on the group key of each table, called as fn(key).
//   The first table for which it returns true is used.
// - idx: index of the row to return, from 0.
// - tables: input stream of tables. Default is piped-forward data (<-).
//
// ## Examples
// lastReported = csv.from(csv: data)
//     |> last()
//     |> findRecord(fn: (key) => true, idx: 0)
builtin findRecord

// findColumn returns one column of the first table of a stream whose group
// key matches fn, as an array. Backported from Flux v0.68, where it is
// `(fn, column, tables=<-) => tables |> tableFind(fn) |> getColumn(column)`.
//
// ## Parameters
// - fn: predicate on the group key of each table, called as fn(key).
//   The first table for which it returns true is used.
// - column: name of the column to return.
// - tables: input stream of tables. Default is piped-forward data (<-).
//
// ## Examples
// hosts = csv.from(csv: data)
//     |> findColumn(fn: (key) => key._measurement == "cpu", column: "host")
builtin findColumn
