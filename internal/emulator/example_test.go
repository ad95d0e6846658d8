package emulator_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

func Example() {
	s, err := emulator.Start("127.0.0.1:0", emulator.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	send := func(event string) {
		res, err := http.Post(s.EventsURL(), "application/json", strings.NewReader(event))
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}

	send(`{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger","dedup_key":"disk/db1",` +
		`"payload":{"summary":"Disk full on db1","source":"db1","severity":"critical"}}`)
	// The next request gets an injected 503; a retrying sender tries again.
	s.Inject(emulator.Fault{Status: http.StatusServiceUnavailable})
	resolve := `{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"resolve","dedup_key":"disk/db1"}`
	send(resolve)
	send(resolve)

	fmt.Println(s.Alerts()[0].Status)
	_ = s.WriteSummary(os.Stdout)
	// Output:
	// 202
	// 503
	// 202
	// resolved
	// PagerDuty emulator: 3 events received (2 accepted, 1 fault)
	//   #1 trigger dedup_key="disk/db1" severity="critical" summary="Disk full on db1": accepted (opened a new alert)
	//   #2 resolve dedup_key="disk/db1": fault: injected fault: 503
	//   #3 resolve dedup_key="disk/db1": accepted
}
