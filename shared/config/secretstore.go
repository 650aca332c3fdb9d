package config

import "fmt"

// The secret stores EnvSecretStore names: one Secrets Manager secret per
// webhook, or the secrets sealed under a KMS data key on the webhook item;
// and the two moves between them, while `hookrelay secrets migrate` runs:
// writes go to both stores, reads to the source first, else the target.
const (
	SecretStoreSecretsManager   = "secretsmanager"
	SecretStoreEnvelope         = "envelope"
	SecretStoreToEnvelope       = "migrating-to-envelope"
	SecretStoreToSecretsManager = "migrating-to-secretsmanager"
)

// SecretStores returns the store a setting moves to (the only one when
// not migrating), and, while migrating, the one it moves from ("" otherwise).
func SecretStores(setting string) (target, source string) {
	switch setting {
	case SecretStoreToEnvelope:
		return SecretStoreEnvelope, SecretStoreSecretsManager
	case SecretStoreToSecretsManager:
		return SecretStoreSecretsManager, SecretStoreEnvelope
	}
	return setting, ""
}

// UsesKMS reports whether a setting needs the envelope store's key.
func UsesKMS(setting string) bool {
	target, source := SecretStores(setting)
	return target == SecretStoreEnvelope || source == SecretStoreEnvelope
}

// CheckSecretStore accepts the two stores and the two moves between them.
func CheckSecretStore(name string) error {
	if !ValidSecretStore(name) {
		return fmt.Errorf("%s=%q: must be %s", EnvSecretStore, name, SecretStoreChoices)
	}
	return nil
}

// ValidSecretStore reports whether name is a secret store setting.
func ValidSecretStore(name string) bool {
	switch name {
	case SecretStoreSecretsManager, SecretStoreEnvelope, SecretStoreToEnvelope, SecretStoreToSecretsManager:
		return true
	}
	return false
}

// SecretStoreChoices lists the settings ValidSecretStore accepts, for messages.
const SecretStoreChoices = SecretStoreSecretsManager + ", " + SecretStoreEnvelope + ", " + SecretStoreToEnvelope + " or " + SecretStoreToSecretsManager
