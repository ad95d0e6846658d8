// Package contract holds tables of the PagerDuty Events API v2 contract
// that more than one package must agree on, so that one table checks
// independent implementations. Only tests import it.
//
// The sender (internal/event) and the emulator (internal/emulator) each
// implement the contract on their own, on purpose: a mistake in one shows
// up as a disagreement with the other. Two tables hold them to the same
// reading of it.
//
// testdata/timestamps.txt lists valid and invalid payload.timestamp
// strings (Timestamps); the sender and the emulator are each tested
// against every line of it, in their own packages.
//
// testdata/events.txt lists whole alert and change events (Events), for
// every other limit and vocabulary: the routing key's length and
// characters (32 printable ASCII characters) and ruleset keys,
// event_action, severity, summary and source, dedup_key, images, links,
// the payload of acknowledge and resolve, the body size, and a sample of
// timestamps. Each case is valid (both accept it), invalid (both
// refuse it) or fixed (invalid as written, but the sender repairs it by
// design and the emulator accepts the repaired event). This package's own
// test, TestEvents_Agreement, posts each body to an emulator on 127.0.0.1,
// gives the same fields to event.Build or event.BuildChange and
// event.Encode, and posts what the sender encodes too. Cases on which the
// two disagree are kept in the file, commented out as "# DISAGREE:", until
// one of them is fixed.
package contract
