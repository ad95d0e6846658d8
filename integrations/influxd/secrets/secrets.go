// Package secrets gives InfluxDB 1.8's Flux a secret lookup, so queries can
// read routing keys with secrets.get(key: "PAGERDUTY_ROUTING_KEY").
//
// Stock InfluxDB 1.8 runs Flux with an empty secret service: every
// secrets.get fails. Importing this package replaces the Flux builtin
// secrets.get with one that asks the query's secret service first and then
// fluxpd's store: the file named by $FLUXPD_SECRETS_FILE (KEY=value lines),
// if set, then the server's environment. Errors name the secret and where
// it was looked for, never a value.
//
// It must be initialised before Flux finalises its builtins: Go initialises
// packages in import-path order where dependencies allow, and
// github.com/fluxpd/... sorts before github.com/influxdata/influxdb/..., whose
// flux/builtin package does the finalising.
package secrets

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	fluxsecrets "github.com/influxdata/flux/stdlib/influxdata/influxdb/secrets"

	fluxpdsecrets "github.com/fluxpd/fluxpd/internal/secrets"
)

// FileEnv names the environment variable holding the secrets file's path.
const FileEnv = "FLUXPD_SECRETS_FILE"

func init() {
	_ = fluxsecrets.GetKind // secrets.get must be registered before it is replaced
	flux.ReplacePackageValue("influxdata/influxdb/secrets", "get", values.NewFunction(
		"get",
		semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
			Parameters: map[string]semantic.PolyType{"key": semantic.String},
			Required:   semantic.LabelSet{"key"},
			Return:     semantic.String,
		}),
		func(ctx context.Context, args values.Object) (values.Value, error) {
			return interpreter.DoFunctionCallContext(Get, ctx, args)
		},
		false,
	))
}

var (
	storeOnce sync.Once
	store     *fluxpdsecrets.Store
	storeErr  error
)

// loadStore reads $FLUXPD_SECRETS_FILE once, warning on stderr about loose
// permissions.
func loadStore() (*fluxpdsecrets.Store, error) {
	storeOnce.Do(func() {
		path := os.Getenv(FileEnv)
		store = &fluxpdsecrets.Store{}
		if path != "" {
			store, storeErr = fluxpdsecrets.Load(path, func(w string) {
				fmt.Fprintln(os.Stderr, "fluxpd: "+w)
			})
		}
		if store != nil {
			store.FileHint = "$" + FileEnv
		}
	})
	return store, storeErr
}

// Get returns the secret named by the key argument.
func Get(ctx context.Context, args interpreter.Arguments) (values.Value, error) {
	key, err := args.GetRequiredString("key")
	if err != nil {
		return nil, err
	}
	if ss, err := flux.GetDependencies(ctx).SecretService(); err == nil {
		if v, err := ss.LoadSecret(ctx, key); err == nil && v != "" {
			return values.NewString(v), nil
		}
	}
	s, err := loadStore()
	if err != nil {
		return nil, &flux.Error{Code: codes.Invalid, Msg: err.Error()}
	}
	v, err := s.LoadSecret(ctx, key)
	if err != nil {
		return nil, &flux.Error{Code: codes.NotFound, Msg: err.Error()}
	}
	return values.NewString(v), nil
}
