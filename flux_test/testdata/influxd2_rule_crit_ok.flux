package main
// pd-rule
import "influxdata/influxdb/monitor"
import "pagerduty"
import "influxdata/influxdb/secrets"
import "experimental"

option task = {name: "pd-rule", every: 5s, offset: 1s}

pagerduty_secret = secrets["get"](key: "11b9de24fe980000-routing-key")
pagerduty_endpoint = pagerduty["endpoint"]()
notification = {
	_notification_rule_id: "11b9de2e0e980000",
	_notification_rule_name: "pd-rule",
	_notification_endpoint_id: "11b9de24fe980000",
	_notification_endpoint_name: "pd-ep",
}
statuses = monitor["from"](start: -10s)
crit = statuses
	|> filter(fn: (r) =>
		(r["_level"] == "crit"))
crit_to_ok = statuses
	|> monitor["stateChanges"](fromLevel: "crit", toLevel: "ok")
all_statuses = union(tables: [crit, crit_to_ok])
	|> sort(columns: ["_time"])
	|> filter(fn: (r) =>
		(r["_time"] > experimental["subDuration"](from: now(), d: 5s)))

all_statuses
	|> monitor["notify"](data: notification, endpoint: pagerduty_endpoint(mapFn: (r) =>
		({
			routingKey: pagerduty_secret,
			client: "influxdata",
			clientURL: "http://127.0.0.1:18781/client",
			class: r._check_name,
			group: r["_source_measurement"],
			severity: pagerduty["severityFromLevel"](level: r["_level"]),
			eventAction: pagerduty["actionFromLevel"](level: r["_level"]),
			source: notification["_notification_rule_name"],
			summary: r["_message"],
			timestamp: time(v: r["_source_timestamp"]),
		})))
