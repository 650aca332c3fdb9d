package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// TestMain keeps the package's tests off the developer's own stack: the
// CLI finds `make dev` through <repo>/.hookrelay/dev.json (unless
// $HOOKRELAY_DATA_DIR names another folder) and brands headers with
// $HOOKRELAY_HEADER_PREFIX, so a `HOOKRELAY_HEADER_PREFIX=Aigeon make dev`
// running in this checkout would otherwise change what listen checks.
// Nor a $HOOKRELAY_TOKEN the shell holds. Tests that need a data folder,
// a prefix or a token still set their own.
//
// It also keeps every request on this machine: one for any other host
// goes to a proxy that is not there (Go never proxies loopback), so a
// test whose code path would reach AWS (a regression past its local
// transport) fails at once instead of sending anything.
func TestMain(m *testing.M) {
	for _, v := range []string{"HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"} {
		os.Setenv(v, "http://127.0.0.1:9")
	}
	os.Unsetenv("NO_PROXY")
	os.Unsetenv("no_proxy")
	// Nor does the shell's AWS profile or ~/.aws: a profile ~/.aws lacks
	// failed every --dlq-url test at config load, and a [default] section
	// (retries, endpoints, CA bundle) would change what they measure.
	// Tests that want a profile or files set their own.
	os.Unsetenv("AWS_PROFILE")
	os.Unsetenv("AWS_DEFAULT_PROFILE")
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	// runMain's child inherits the isolation, plus the variables its
	// test passes on purpose: it must not replace them.
	if os.Getenv("HOOKRELAY_TEST_MAIN") == "1" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "hookrelay-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(devstate.EnvDataDir, dir)
	os.Unsetenv(config.EnvHeaderPrefix)
	// A deployed stack's token in the shell would replace the dev token
	// the portal and recover tests expect, and be sent to their fake APIs.
	os.Unsetenv(envToken)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
