package config

import "testing"

func TestSecretStoreSetting(t *testing.T) {
	env := func(v string) func(string) (string, bool) {
		return func(name string) (string, bool) { return v, name == EnvSecretStore }
	}
	if c, err := FromLookup(env("")); err != nil || c.SecretStore != SecretStoreSecretsManager {
		t.Fatalf("unset: %q, %v; want the Secrets Manager default", c.SecretStore, err)
	}
	if c, err := FromLookup(env("envelope")); err != nil || c.SecretStore != SecretStoreEnvelope {
		t.Fatalf("envelope: %q, %v", c.SecretStore, err)
	}
	for _, bad := range []string{"vault", "Envelope", "kms"} {
		if _, err := FromLookup(env(bad)); err == nil {
			t.Errorf("%s=%q accepted", EnvSecretStore, bad)
		}
	}
}
