package main

// Setup: onboarding, and what the server is.

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// onboard creates the user, org and bucket e2e, and keeps the token. The
// scenario stops when it fails: every later step needs them.
func (s *runner) onboard() bool {
	var setup struct {
		Org    struct{ ID string }    `json:"org"`
		Bucket struct{ ID string }    `json:"bucket"`
		Auth   struct{ Token string } `json:"auth"`
	}
	ok := s.Check("onboard: POST /api/v2/setup", s.do(http.MethodPost, "/api/v2/setup", map[string]any{
		"username": "admin", "password": "fluxpd-e2e-password", "org": "e2e", "bucket": "e2e", "retentionPeriodHrs": 0,
	}, &setup))
	s.token, s.orgID = setup.Auth.Token, setup.Org.ID
	return ok
}

// version: the start-up log line says what the server is.
func (s *runner) version() {
	s.Check("influxd's log says version=2.0.0-beta.8+fluxpd", func() error {
		b, err := os.ReadFile(s.logFile)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), `msg="Welcome to InfluxDB"`) || !strings.Contains(string(b), "version=2.0.0-beta.8+fluxpd ") {
			return fmt.Errorf("no Welcome line with version=2.0.0-beta.8+fluxpd in %s", s.logFile)
		}
		return nil
	}())
}

// runtimeVersion: Flux's runtime.version() names the derived Flux.
func (s *runner) runtimeVersion() {
	rows, err := s.query("import \"runtime\"\nimport \"csv\"\n" +
		"csv.from(csv: \"#datatype,string,long,string\\n#group,false,false,false\\n#default,_result,,\\n,result,table,k\\n,,0,x\\n\")" +
		" |> map(fn: (r) => ({r with v: runtime.version()}))")
	if err == nil && (len(rows) != 1 || rows[0]["v"] != "v0.65.1+fluxpd") {
		err = fmt.Errorf("rows %v, want one with v=v0.65.1+fluxpd", rows)
	}
	s.Check("Flux runtime.version() is v0.65.1+fluxpd", err)
}
