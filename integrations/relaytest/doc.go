// Package relaytest proves `fluxpd relay` (issue 21) from the outside: with
// real clients, with real crashes, and with measurements.
//
//   - Real clients: stock upstream Flux v0.65.1 with its own pagerduty
//     package (bench/upstream/cmd/upstreamflux) and a real Alertmanager
//     v0.28.1 send through a relay process to fluxpd's emulator.
//   - The crash test: a load of alert sequences from concurrent senders
//     while the upstream flaps and the relay process is killed with SIGKILL
//     and restarted on the same outbox file, then every event answered 202
//     is looked for upstream, in order, and every duplicate is explained.
//   - The benchmarks (bench/cmd/relaybench): durable accept throughput,
//     group commit against one fsync per event, the drain of a queue and
//     the memory of a large one.
//
// Everything runs on 127.0.0.1. The relay is always the real command, built
// from cmd/fluxpd (with the race detector when the tests run under it), and
// driven only through its command-line contract: its flags, the one line
// it prints on standard output once it accepts requests, its HTTP API and
// SIGTERM. The non-test files here (building, the relay process, the load's
// events, the upstreams) are shared by the tests and by relaybench.
//
// Sizes: `go test ./integrations/relaytest/` runs the crash test at CI
// size; FLUXPD_RELAY_CRASH=full (make relay-crash) runs it at full size.
package relaytest
