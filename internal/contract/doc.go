// Package contract holds tables of the PagerDuty Events API v2 contract
// that more than one package must agree on, so that one table checks
// independent implementations. Only tests import it.
//
// testdata/timestamps.txt lists valid and invalid payload.timestamp
// strings; the sender (internal/event) and the emulator (internal/emulator)
// each implement the rule on their own and are each tested against every
// line of it.
package contract
