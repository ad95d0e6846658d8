// Records a deploy as a PagerDuty change event, shown beside the service's
// incidents for context (it opens no incident).
//
//   PAGERDUTY_ROUTING_KEY=... fluxpd run examples/change_event.flux
import "pagerduty"
import "influxdata/influxdb/secrets"

pagerduty.sendChangeEvent(
    routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"),
    summary: "Deployed api v1.4.2 to production",
    source: "ci.example.com",
    timestamp: now(),
    customDetails: {version: "v1.4.2", commit: "9f3c2e1", canary: false},
    links: [{href: "https://ci.example.com/builds/42", text: "Build 42"}],
)
