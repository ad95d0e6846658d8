package main

import (
	"github.com/influxdata/flux/lang"

	"github.com/fluxpd/fluxpd/integrations/serverhost"
)

// installHost makes every Flux query (HTTP /api/v2/query) start with its
// script's pagerduty options and the server's defaults in its context
// (serverhost.Server.PrepareContext). Queries that do not import
// "pagerduty" are left exactly as stock.
func installHost(s *serverhost.Server) {
	lang.PrepareContext = s.PrepareContext
}
