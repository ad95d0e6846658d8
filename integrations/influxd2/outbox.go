package main

import (
	"path/filepath"

	"github.com/influxdata/influxdb/v2/cmd/influxd/launcher"
	"github.com/spf13/viper"
)

// outboxDir is where the outbox goes by default (serverhost.OutboxFile,
// fluxpd-outbox.db, in it, next to InfluxDB's own bolt file): the
// directory of --bolt-path, as the launcher reads it (flag, then
// $INFLUXD_BOLT_PATH, then ~/.influxdbv2/influxd.bolt). ok is false when
// the arguments do not parse: the launcher then refuses them itself.
func outboxDir(args []string) (dir string, ok bool) {
	c := launcher.NewCommand()
	c.SetArgs(args)
	if err := c.ParseFlags(args); err != nil {
		return "", false
	}
	bolt := viper.GetString("bolt-path")
	if bolt == "" {
		return "", false
	}
	return filepath.Dir(bolt), true
}
