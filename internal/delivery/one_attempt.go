package delivery

// OneAttempt returns a sender like s that sends each event once: no
// retries, no deadline beyond one attempt's timeout (s's, or
// DefaultAttemptTimeout). It is the sender of redeliveries: the outbox
// schedules the next attempt itself, from the answer's Retry-After and its
// own backoff.
func (s *Sender) OneAttempt() *Sender {
	timeout := s.Policy.AttemptTimeout
	if timeout <= 0 {
		timeout = DefaultAttemptTimeout
	}
	return &Sender{
		Client:    s.Client,
		Validate:  s.Validate,
		Policy:    Policy{AttemptTimeout: timeout},
		UserAgent: s.UserAgent,
		Clock:     s.Clock,
		Rand:      s.Rand,
	}
}
