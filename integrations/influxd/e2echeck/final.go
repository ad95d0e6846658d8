package main

// The scenario's last checks: a missing secret, the outbox, and the
// routing key nowhere in the answers and logs.

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// missingSecretQuery reads a secret that exists nowhere.
const missingSecretQuery = `import "influxdata/influxdb/secrets"
import "csv"
key = secrets.get(key: "NO_SUCH_SECRET")
csv.from(csv: "#datatype,string,long,string\n#group,false,false,false\n#default,_result,,\n,result,table,k\n,,0,x\n")
    |> map(fn: (r) => ({r with k: key}))
`

// missingSecretError is what the answer must say; the answer is CSV,
// which doubles the quotes around the secret's name.
const missingSecretError = `secret ""NO_SUCH_SECRET"" not found: looked in the secrets file`

func (s *runner) missingSecret() {
	s.Say("secrets.get of a secret that exists nowhere")
	code, answer, err := s.fluxAnswer("c-missing", missingSecretQuery)
	if err == nil && (code == http.StatusOK || !strings.Contains(string(answer), missingSecretError)) {
		err = fmt.Errorf("the query answered HTTP %d, want an error containing %s: %s", code, missingSecretError, answer)
	}
	s.CheckSeen("a missing secret is an error naming the key and where it looked", fmt.Sprintf("HTTP %d: %s", code, strings.TrimSpace(string(answer))), err)
}

// outboxOnByDefault: the outbox is on by default, fluxpd-outbox.db in the
// parent of [data] dir, mode 0600, named in the start-up log, readable by
// fluxpd outbox while the server runs, with nothing pending (every send
// above was accepted).
func (s *runner) outboxOnByDefault() {
	seen, err := e2e.OutboxOnByDefault(s.outbox, s.logFile)
	if err == nil {
		var stats string
		var drained bool
		stats, drained, err = e2e.OutboxStats(s.fluxpd, s.outbox)
		if err == nil && !drained {
			err = fmt.Errorf("fluxpd outbox stats: something is pending, want nothing:\n%s", stats)
		}
		seen += "; " + strings.SplitN(stats, "\n", 2)[0]
	}
	s.CheckSeen("the outbox is on by default next to the data dir, and fluxpd outbox reads it while the server runs", seen, err)
}

func (s *runner) noRoutingKey() {
	n, err := e2e.NoSecrets([]string{s.answers.Dir, s.logFile, s.emuLog}, s.key)
	s.CheckSeen("no answer or log shows the routing key", fmt.Sprintf("%d answers and logs read", n), err)
}
