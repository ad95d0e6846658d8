package harness

import "math/rand/v2"

// touchArenaBytes is the memory toucher writes to: larger than any CPU
// cache, so that every touch is likely a miss.
const touchArenaBytes = 64 << 20

// cacheLine is the bytes of one touch.
const cacheLine = 64

// toucher returns a func that writes one byte in each of kib KiB worth of
// cache lines, picked at random in a 64 MiB arena: what a script's work
// between two sends does to the caches (Flux's map() and the send path
// allocate some 25 KiB per event, fresh and scattered) without doing that
// work. The floor with -touch is a control: what the same HTTP exchange
// costs once the caches it used are cold.
func toucher(kib int) func() {
	arena := make([]byte, touchArenaBytes)
	lines := kib * 1024 / cacheLine
	rng := rand.New(rand.NewPCG(1, 2))
	return func() {
		for range lines {
			arena[rng.IntN(len(arena))]++
		}
	}
}
