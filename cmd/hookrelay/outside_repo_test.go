package main

import (
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// Run outside the repository without naming a target, the dlq and
// webhooks commands say how to name a deployed one, not only how to find
// make dev: an operator's shell is more likely to have forgotten --stack
// or --api than to want the repository.
func TestOutsideTheRepositoryTheRefusalNamesTheDeployedTarget(t *testing.T) {
	noTarget(t)
	t.Setenv(devstate.EnvDataDir, "")
	t.Setenv(config.EnvAddr, "")
	t.Chdir(t.TempDir())
	_, _, err := runDLQ(t, "ls")
	if err == nil || !strings.Contains(err.Error(), "run this inside the repository") || !strings.Contains(err.Error(), "or target a deployed stack with --stack") {
		t.Errorf("dlq ls outside the repository: %v", err)
	}
	_, err = runRecover(t, "wh_06h3c0z1cz7tt4w8dkx11c2hkw", "--since", "1h", "--org", "org_a")
	if err == nil || !strings.Contains(err.Error(), "run this inside the repository") || !strings.Contains(err.Error(), "or name an API with --api") {
		t.Errorf("webhooks recover outside the repository: %v", err)
	}
}
