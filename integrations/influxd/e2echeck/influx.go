package main

// InfluxDB 1.8's HTTP API: InfluxQL, line protocol writes, Flux queries.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// post sends body to path of InfluxDB and returns the answer's status and
// body; the answer is saved with the others.
func (s *runner) post(path, ctype, body string, header ...string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, s.influx+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	code, b, err := s.answers.Do(s.client, req)
	if err != nil {
		return 0, nil, fmt.Errorf("POST %s: %w", path, err)
	}
	return code, b, nil
}

// influxql runs an InfluxQL statement through /query in database db (""
// for none); an answer with an error is an error.
func (s *runner) influxql(db, stmt string) error {
	q := url.Values{"q": {stmt}}
	if db != "" {
		q.Set("db", db)
	}
	code, b, err := s.post("/query", "application/x-www-form-urlencoded", q.Encode())
	if err != nil {
		return err
	}
	if code != http.StatusOK || strings.Contains(string(b), `"error"`) {
		return fmt.Errorf("InfluxQL %q answered %d: %s", stmt, code, b)
	}
	return nil
}

// write writes lines of line protocol (precision s) to database db.
func (s *runner) write(db string, lines ...string) error {
	path := "/write?precision=s&db=" + url.QueryEscape(db)
	code, b, err := s.post(path, "text/plain; charset=utf-8", strings.Join(lines, "\n")+"\n")
	if err != nil {
		return err
	}
	if code != http.StatusNoContent {
		return fmt.Errorf("POST %s answered %d, want 204: %s", path, code, b)
	}
	return nil
}

// fluxAnswer POSTs a Flux script to /api/v2/query, saving it under name,
// and returns the answer's status and body.
func (s *runner) fluxAnswer(name, script string) (int, []byte, error) {
	s.answers.Save(name+".flux", []byte(script))
	return s.post("/api/v2/query", "application/vnd.flux", script, "Accept", "application/csv")
}

// flux runs a Flux script and returns the rows of its answer, which must
// be 200 without an error table.
func (s *runner) flux(name, script string) (e2e.Rows, error) {
	code, b, err := s.fluxAnswer(name, script)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("/api/v2/query answered HTTP %d: %s", code, b)
	}
	return e2e.ParseCSV(b)
}

// script returns a Flux script with $EMU (the emulator's base URL) and
// $INFLUX (InfluxDB's) replaced.
func (s *runner) script(src string) string {
	return strings.NewReplacer("$EMU", strings.TrimSuffix(s.emu.URL, "/"), "$INFLUX", s.influx).Replace(src)
}
