package harness

import (
	"context"
	"fmt"
	"net/http"

	"github.com/influxdata/flux"
	fluxhttp "github.com/influxdata/flux/dependencies/http"
)

// scenario prepares and runs the repetitions of one Config.
type scenario struct {
	tool   string
	c      Config
	url    string
	deps   flux.Deps
	client *http.Client // the floor's
}

func newScenario(tool string, c Config, url string) *scenario {
	return &scenario{tool: tool, c: c, url: url, deps: fluxDeps(), client: fluxhttp.NewDefaultClient()}
}

// rep runs the scenario once over n rows against a reset receiver and
// checks what the receiver got and what the script returned. Only the
// send itself (the script's evaluation and execution, or the floor's
// loop) is timed.
func (s *scenario) rep(ctx context.Context, recv receiver, n int) (Rep, error) {
	rows := Rows(n)
	want := Expected(rows)
	run, err := s.prepare(rows)
	if err != nil {
		return Rep{}, err
	}
	if s.c.Scenario == "nosend" || s.c.Scenario == "mapconst" {
		want = Expect{}
	}
	recv.Reset(n)
	rep, err := measure(func() error { return run(ctx) })
	if err != nil {
		return rep, err
	}
	if err := recv.Stats().Check(want); err != nil {
		return rep, fmt.Errorf("wrong delivery: %w", err)
	}
	return rep, nil
}

// prepare returns the timed part of one repetition over rows.
func (s *scenario) prepare(rows []Row) (func(context.Context) error, error) {
	switch s.c.Scenario {
	case "floor":
		bodies := Bodies(rows)
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i] = r.Host
		}
		before := func() {}
		if s.c.TouchKiB > 0 {
			before = toucher(s.c.TouchKiB)
		}
		return func(ctx context.Context) error {
			return floor(ctx, s.client, s.url, bodies, keys, s.c.Concurrency, before)
		}, nil
	case "sendevent":
		return prepareFlux(s.deps, SendEventScript(s.url, CSV(rows, false)), sendEventCheck(len(rows)))
	case "endpoint":
		return prepareFlux(s.deps, EndpointScript(s.url, CSV(rows, true), s.c.Concurrency), endpointCheck(len(rows)))
	case "mapconst":
		return prepareFlux(s.deps, MapConstScript(CSV(rows, false)), sendEventCheck(len(rows)))
	case "nosend":
		return prepareFlux(s.deps, NoSendScript(CSV(rows, true)), endpointCheck(len(rows)))
	}
	return nil, fmt.Errorf("-scenario must be floor, sendevent, endpoint, mapconst or nosend; got %q", s.c.Scenario)
}
