package main

// InfluxDB 2's HTTP API, and the events the emulator received.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// do sends a request to InfluxDB, saves the answer and decodes a JSON
// answer into v (when not nil). Non-2xx answers are errors.
func (s *runner) do(method, path string, body any, v any) error {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "text/plain; charset=utf-8"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.influx+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	if s.token != "" {
		req.Header.Set("Authorization", "Token "+s.token)
	}
	code, b, err := s.answers.Do(s.client, req)
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return fmt.Errorf("%s %s: %d %s: %s", method, path, code, http.StatusText(code), b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return nil
}

// query runs Flux through /api/v2/query and returns the CSV rows.
func (s *runner) query(flux string) (e2e.Rows, error) {
	body, err := json.Marshal(map[string]any{"query": flux, "type": "flux"})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, s.influx+"/api/v2/query?orgID="+s.orgID, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/csv")
	req.Header.Set("Authorization", "Token "+s.token)
	code, b, err := s.answers.Do(s.client, req)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("/api/v2/query: %d %s: %s", code, http.StatusText(code), b)
	}
	return e2e.ParseCSV(b)
}

// write writes line protocol (precision ns) to bucket e2e.
func (s *runner) write(lines string) error {
	return s.do(http.MethodPost, "/api/v2/write?org="+s.orgID+"&bucket=e2e&precision=ns", lines, nil)
}

// events returns the requests the emulator received, oldest first, and
// the event each carried (zero for a body it does not show).
func (s *runner) events() ([]e2e.Request, []e2e.Event, error) {
	reqs, err := s.emu.Requests()
	if err != nil {
		return nil, nil, err
	}
	evs := make([]e2e.Event, len(reqs))
	for i, r := range reqs {
		evs[i], _ = r.Event()
	}
	return reqs, evs, nil
}

// joinErrs joins the errors that are not nil into one, or returns nil.
func joinErrs(errs ...error) error {
	var msgs []string
	for _, e := range errs {
		if e != nil {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "\n"))
}
