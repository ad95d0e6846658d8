package relaytest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// TestAlertmanager_ThroughRelay_AcrossOutage fires an alert through a real
// Alertmanager whose PagerDuty receiver is the relay, takes the upstream
// down, resolves the alert, and brings the upstream back: Alertmanager
// must see both notifications succeed (the relay answered 202 while the
// upstream was down), and the emulator must end with one alert, triggered
// then resolved under one dedup key.
func TestAlertmanager_ThroughRelay_AcrossOutage(t *testing.T) {
	bin := alertmanagerBin(t)
	up := startUpstream(t, emulator.Options{})
	r := startRelay(t, up, []string{amKey})
	am := startAlertmanager(t, bin, r.URL+emulator.EventsPath)

	// Started a minute ago, so that a resolve a second ago ends after it.
	start := time.Now().Add(-time.Minute)
	am.post(t, start, time.Time{})
	trigger := accepted(t, up, 1, "Alertmanager's trigger to reach the emulator through the relay")[0]
	if trigger.EventAction != "trigger" || trigger.RoutingKey != amKey || trigger.DedupKey == "" {
		t.Fatalf("the first event through the relay is %s, want Alertmanager's trigger with a dedup key", redact.String(prettyJSON(trigger), amKey))
	}

	if err := up.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	am.post(t, start, time.Now().Add(-time.Second))
	testwait.Until(t, "the relay to try Alertmanager's resolve on the emulator during its outage", func() (bool, string) {
		n := 0
		for _, q := range up.Requests() {
			if q.Action == "resolve" && q.Verdict == emulator.VerdictFault {
				n++
			}
		}
		return n > 0, fmt.Sprintf("%d resolves answered by the outage", n)
	})
	testwait.Until(t, "Alertmanager to count its two PagerDuty notifications", func() (bool, string) {
		sent, failed := am.notifications(t)
		return sent >= 2, fmt.Sprintf("%d sent, %d failed", sent, failed)
	})
	if _, failed := am.notifications(t); failed != 0 {
		t.Errorf("Alertmanager counts %d failed PagerDuty notifications, want 0: the relay answers 202 while the upstream is down; its log:\n%s", failed, am.logText())
	}
	m, err := Scrape(http.DefaultClient, r.URL+"/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := m.Sum("fluxpd_relay_events_received_total", `outcome="accepted"`); n != 2 {
		t.Errorf("the relay counts %v events accepted, want Alertmanager's 2 (trigger, resolve)", n)
	}
	up.EndOutage()

	testwait.Until(t, "the resolve to reach the emulator after the outage", func() (bool, string) {
		alerts := up.Alerts()
		return len(alerts) == 1 && alerts[0].Status == emulator.StatusResolved, prettyJSON(alertSummaries(alerts))
	})
	a := up.Alerts()[0]
	if a.DedupKey != trigger.DedupKey || !slices.Equal(historyActions(a), []string{"trigger", "resolve"}) {
		t.Errorf("the emulator's alert is %s, want dedup key %q triggered then resolved", prettyJSON(alertSummaries([]emulator.Alert{a})), trigger.DedupKey)
	}
	stopRelay(t, r)
}

// alertSummary is what a failure shows of an emulator alert: never its
// routing key.
type alertSummary struct {
	DedupKey, Status string
	History          []string
}

func alertSummaries(alerts []emulator.Alert) []alertSummary {
	out := make([]alertSummary, len(alerts))
	for i, a := range alerts {
		out[i] = alertSummary{a.DedupKey, a.Status, historyActions(a)}
	}
	return out
}

func historyActions(a emulator.Alert) []string {
	var out []string
	for _, h := range a.History {
		out = append(out, h.Action)
	}
	return out
}
