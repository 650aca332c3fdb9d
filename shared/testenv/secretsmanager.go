package testenv

import (
	"testing"

	"github.com/hookrelay/hookrelay/shared/fakesm"
)

// SecretsManager is the loopback fake Secrets Manager (package fakesm)
// for one test.
type SecretsManager struct{ *fakesm.Server }

// NewSecretsManager starts the fake; it stops when the test ends, and the
// test fails if a request did not speak Secrets Manager's protocol.
func NewSecretsManager(t testing.TB) *SecretsManager {
	f := fakesm.Start()
	t.Cleanup(func() {
		f.Close()
		for _, e := range f.ProtocolErrors() {
			t.Errorf("fake Secrets Manager: %s", e)
		}
	})
	return &SecretsManager{f}
}
