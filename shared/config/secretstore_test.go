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
	for setting, want := range map[string][2]string{
		"envelope": {"envelope", ""}, "migrating-to-envelope": {"envelope", "secretsmanager"},
		"migrating-to-secretsmanager": {"secretsmanager", "envelope"},
	} {
		if _, err := FromLookup(env(setting)); err != nil {
			t.Errorf("%s: %v", setting, err)
		}
		if target, source := SecretStores(setting); target != want[0] || source != want[1] {
			t.Errorf("SecretStores(%s) = %s, %s; want %s, %s", setting, target, source, want[0], want[1])
		}
		if !UsesKMS(setting) {
			t.Errorf("%s does not use KMS", setting)
		}
	}
	if UsesKMS(SecretStoreSecretsManager) {
		t.Error("secretsmanager uses KMS")
	}
	for _, bad := range []string{"vault", "Envelope", "kms", "migrating-to-vault"} {
		if _, err := FromLookup(env(bad)); err == nil {
			t.Errorf("%s=%q accepted", EnvSecretStore, bad)
		}
	}
}
