package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/influxdata/influxdb/cmd/influxd/run"
)

// outboxDir is where the outbox goes by default (serverhost.OutboxFile,
// fluxpd-outbox.db, in it): the parent of the [data] dir, as influxd reads
// its configuration (-config, $INFLUXDB_CONFIG_PATH, the default files,
// then INFLUXDB_* variables): ~/.influxdb/fluxpd-outbox.db by default,
// /var/lib/influxdb/fluxpd-outbox.db for the packages' layout. ok is false
// when the configuration does not parse: influxd then refuses it itself.
func outboxDir(args []string) (dir string, ok bool) {
	c := run.NewCommand()
	c.Stdout, c.Stderr = io.Discard, io.Discard
	opts, err := c.ParseFlags(args...)
	if err != nil {
		return "", false
	}
	cfg, err := c.ParseConfig(opts.GetConfigPath())
	if err != nil {
		return "", false
	}
	if err := cfg.ApplyEnvOverrides(os.Getenv); err != nil || cfg.Data.Dir == "" {
		return "", false
	}
	return filepath.Dir(filepath.Clean(cfg.Data.Dir)), true
}
