//go:build race

package relaytest

// RaceBuild reports whether this binary was built with the race detector,
// so that the relay the tests start is built alike (and from the same
// build cache).
const RaceBuild = true
