package delivery

// DecodeAnswerForBench decodes an answer as readResponse does and returns
// its dedup key, for the benchmarks of package delivery_test.
func DecodeAnswerForBench(body string) string { return decodeAnswer(body).DedupKey }
