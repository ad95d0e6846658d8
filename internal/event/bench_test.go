package event_test

import (
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/event"
)

// typicalInput is a trigger as a monitoring script sends it: a time stamp
// and five custom details.
func typicalInput() event.Input {
	return event.Input{
		RoutingKey: routingKey, EventAction: "trigger", DedupKey: "db01.example.com/disk",
		Client: "fluxpd", ClientURL: "https://monitoring.example.com",
		Summary: "Disk usage at 97% on db01.example.com", Source: "db01.example.com", Severity: "critical",
		Timestamp: event.TimestampAt(time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)),
		Class:     "disk", Group: "databases",
		CustomDetails: event.Details{
			{Key: "used_percent", Value: 97.3},
			{Key: "free bytes", Value: uint64(12_884_901_888)},
			{Key: "mount", Value: "/var/lib/postgresql"},
			{Key: "checked", Value: time.Date(2024, 5, 6, 7, 8, 0, 0, time.UTC)},
			{Key: "thresholds", Value: event.Details{{Key: "warn", Value: int64(85)}, {Key: "crit", Value: int64(95)}}},
		},
	}
}

func BenchmarkBuild(b *testing.B) {
	in := typicalInput()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := event.Build(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	ev, _, err := event.Build(typicalInput())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := event.Encode(ev); err != nil {
			b.Fatal(err)
		}
	}
}
