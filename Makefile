# fluxpd Makefile.
#
# Conventions: every target is phony; binaries go to ./bin; `make` alone runs
# the quick checks (format, vet, unit and Flux end-to-end tests). `make test`
# is what CI runs (.ci/run) and what the README calls "the tests".
#
# Race tests need -d=checkptr=0: flux v0.65.1's 2019 Arrow trips Go's
# checkptr instrumentation, which -race turns on.

GO        ?= go
RACE      := -race -gcflags=all=-d=checkptr=0
# A bound on one test binary against hangs, never a speed target: a loaded
# two-core machine runs the race-instrumented Flux tests for many minutes.
GO_TEST_TIMEOUT ?= 45m
export GO_TEST_TIMEOUT
# How many times `make test-loaded` runs `make test` in a row.
RUNS      ?= 1
BIN       := bin
SCRIPT    ?= examples/send_event.flux
# A placeholder routing key: 32 characters, as PagerDuty's are. Never a real one.
PLACEHOLDER_KEY := 00000000000000000000000000000000

.PHONY: check test test-loaded unit e2e compat influxd e2e-influxd influxd2 e2e-influxd2 build run emulator bench bench-quick gobench fmt fmt-check lint vet clean

check: fmt-check vet unit

## test: everything CI runs: format, vet, race tests (Go and Flux), Flux v0.67.0, InfluxDB 1.8.10 and 2.0.0-beta.8 end to end.
test: fmt-check vet unit compat e2e-influxd e2e-influxd2

## test-loaded: `make test` beside two CPU hogs and an I/O hog (RUNS=3 for three in a row).
test-loaded:
	bash scripts/test-loaded.sh $(RUNS)

## unit: all Go tests of the module under the race detector, including the Flux end-to-end files.
unit:
	$(GO) test $(RACE) -timeout $(GO_TEST_TIMEOUT) -count=1 ./...

## e2e: only the Flux end-to-end tests in flux_test/.
e2e:
	$(GO) test $(RACE) -timeout $(GO_TEST_TIMEOUT) -count=1 -v ./flux_test/

## compat: the module's tests against Flux v0.67.0, on a temporary copy of go.mod.
compat:
	bash scripts/flux-compat.sh v0.67.0

## influxd: InfluxDB 1.8.10 with fluxpd's pagerduty, as bin/influxd-fluxpd.
influxd:
	bash scripts/influxd-build.sh

## e2e-influxd: build that InfluxDB and run the end-to-end test against it.
e2e-influxd:
	bash scripts/influxd-e2e.sh

## influxd2: InfluxDB 2.0.0-beta.8 with fluxpd's pagerduty, as bin/influxd2-fluxpd.
influxd2:
	bash scripts/influxd2-build.sh

## e2e-influxd2: build that InfluxDB and run its end-to-end test (task, check, notification rules).
e2e-influxd2:
	bash scripts/influxd2-e2e.sh

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN)/fluxpd ./cmd/fluxpd

## run: run SCRIPT (default: the sendEvent example) against the built-in emulator.
run:
	PAGERDUTY_ROUTING_KEY=$${PAGERDUTY_ROUTING_KEY:-$(PLACEHOLDER_KEY)} $(GO) run ./cmd/fluxpd run $(SCRIPT)

## emulator: serve the PagerDuty emulator on 127.0.0.1:8787.
emulator:
	$(GO) run ./cmd/fluxpd emulator

## bench: the benchmark harness against upstream Flux (see bench/).
bench:
	bash bench/run.sh

## bench-quick: a 2-minute smoke run of the harness (results in /tmp, not committed).
bench-quick:
	QUICK=1 bash bench/run.sh

## gobench: Go benchmarks of the hot pieces (conversion, validation, encoding, dedup key, sender).
gobench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/event ./internal/delivery ./internal/outbox ./stdlib/pagerduty

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	cd bench/upstream && $(GO) vet ./...

lint: fmt-check vet

clean:
	rm -rf $(BIN)

.PHONY: relay-crash relay-bench

## relay-crash: fluxpd relay's crash test at issue 21's full size: 2000 events over 50 alerts from 16 senders, the upstream flapping, the relay SIGKILLed 30 times (`make unit` runs it at CI size). FLUXPD_RELAY_CRASH_SEED=N replays a run.
relay-crash:
	FLUXPD_RELAY_CRASH=full $(GO) test $(RACE) -timeout $(GO_TEST_TIMEOUT) -count=1 -v -run '^TestRelay_Crash$$' ./integrations/relaytest/

## relay-bench: fluxpd relay's benchmarks alone (make bench runs them too): accept throughput, group commit against one fsync per event, with 64 senders; drain of 10000 queued events; RSS with 100000 pending. Report in bench/results/relay-latest.md.
relay-bench:
	bash bench/relay.sh
