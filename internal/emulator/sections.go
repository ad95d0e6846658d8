package emulator

import (
	"slices"
)

// alertSections sorts and filters the alerts into the page's headings:
// open alerts (triggered before acknowledged, then the most recently
// updated first) and resolved alerts (most recently updated first), or the
// one heading the state filter asks for.
func alertSections(alerts []alertRecord, f inboxFilter, budget *int) []alertSection {
	type pair struct {
		a alertRecord
		v alertView
	}
	var open, resolved []pair
	for _, a := range alerts {
		v := viewAlert(a.Alert)
		if !f.matches(v.DedupKey, v.Source) {
			continue
		}
		if a.open() {
			open = append(open, pair{a, v})
		} else {
			resolved = append(resolved, pair{a, v})
		}
	}
	slices.SortStableFunc(open, func(x, y pair) int {
		if tx, ty := x.a.Status == StatusTriggered, y.a.Status == StatusTriggered; tx != ty {
			if tx {
				return -1
			}
			return 1
		}
		return y.a.Updated.Compare(x.a.Updated)
	})
	slices.SortStableFunc(resolved, func(x, y pair) int { return y.a.Updated.Compare(x.a.Updated) })
	withStatus := func(status string) []pair {
		var out []pair
		for _, p := range open {
			if p.a.Status == status {
				out = append(out, p)
			}
		}
		return out
	}
	section := func(title, none, which string, ps []pair) alertSection {
		s := alertSection{Title: title, Empty: none, Total: len(ps)}
		for _, p := range ps[:min(len(ps), maxInboxItems)] {
			s.Items = append(s.Items, alertItemOf(p.a, p.v, budget))
		}
		s.Cut = cutNote(len(s.Items), s.Total, which, "alerts")
		return s
	}
	switch f.State {
	case "":
		return []alertSection{
			section("Open alerts", "No open alerts.", "first", open),
			section("Resolved alerts", "No resolved alerts.", "newest", resolved),
		}
	case stateOpen:
		return []alertSection{section("Open alerts", "No open alerts.", "first", open)}
	case StatusTriggered:
		return []alertSection{section("Triggered alerts", "No triggered alerts.", "newest", withStatus(StatusTriggered))}
	case StatusAcknowledged:
		return []alertSection{section("Acknowledged alerts", "No acknowledged alerts.", "newest", withStatus(StatusAcknowledged))}
	case StatusResolved:
		return []alertSection{section("Resolved alerts", "No resolved alerts.", "newest", resolved)}
	}
	return nil
}

// alertItemOf adds to an alert's view what the page shows of its events:
// the details of the trigger that opened it (PagerDuty keeps an alert's
// details from its first trigger) and the bodies of the newest events.
func alertItemOf(a alertRecord, v alertView, budget *int) alertItem {
	it := alertItem{alertView: v}
	if len(a.requests) > 0 {
		it.Details = viewDetails(viewBody(a.requests[0].Body, a.RoutingKey).Body, budget)
	}
	first := max(0, len(a.History)-maxInboxHistory)
	for i := first; i < len(a.History); i++ {
		ev := v.History[i]
		ev.Request, ev.bodyView = a.requests[i].ID, viewBody(a.requests[i].Body, a.RoutingKey)
		item := eventItem{alertEventView: ev}
		if i > 0 { // the opening trigger's details are shown above the history
			item.Details = viewDetails(ev.Body, budget)
		}
		it.Events = append(it.Events, item)
	}
	if first > 0 {
		it.HistoryCut = "showing the newest " + itoa(maxInboxHistory) + " of " + itoa(len(a.History)) + " events"
	}
	return it
}
