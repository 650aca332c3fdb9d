package devrun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// storeMarkFile records, in the data folder, the secret store its
// webhooks keep their signing secrets in. The webhooks made under one
// store have no secrets under the other, and `hookrelay secrets migrate`
// moves a deployed stack only: a dev started on the other store would
// answer their GET and fail every delivery to them.
const storeMarkFile = "secret-store"

// checkSecretStore refuses to run the chosen store on a data folder whose
// webhooks keep their secrets in the other store, before anything starts.
func checkSecretStore(dataDir string, c chosenStore) error {
	used, err := storeInUse(dataDir)
	if err != nil || used == "" || used == c.store || !isDevStore(c.store) {
		return err
	}
	return fmt.Errorf("%s, but the webhooks in %s keep their signing secrets in the %s store, and make dev cannot move them: "+
		"run it with %s, or `make clean` to start over, or set %s to another data folder",
		c, dataDir, used, c.as(used), devstate.EnvDataDir)
}

// chosenStore is the store dev is to run and how the user chose it, so a
// refusal names what they did, not a variable they never set.
type chosenStore struct {
	store string
	how   string // "flag" (--secret-store), "env" (the variable) or "" (the default)
}

func storeChoice(o Options, store string) chosenStore {
	switch {
	case o.SecretStoreFlag:
		return chosenStore{store, "flag"}
	case o.Env[config.EnvSecretStore] != "" || os.Getenv(config.EnvSecretStore) != "":
		return chosenStore{store, "env"}
	}
	return chosenStore{store, ""}
}

func (c chosenStore) String() string {
	if c.how == "" {
		return "the default secret store (" + c.store + ")"
	}
	return c.as(c.store)
}

// as is the way to choose store that this choice took (the variable
// for the default, which has no flag of its own to name).
func (c chosenStore) as(store string) string {
	if c.how == "flag" {
		return "--secret-store " + store
	}
	return config.EnvSecretStore + "=" + store
}

// markSecretStore records the store a started dev runs.
func markSecretStore(dataDir, store string) error {
	return os.WriteFile(filepath.Join(dataDir, storeMarkFile), []byte(store+"\n"), 0o600)
}

// storeInUse reads the folder's mark. A folder from before the mark
// tells by its files: the secrets file of the Secrets Manager stand-in,
// or local-kms's key folder of the envelope store; "" when it has
// neither or both (a switch already made), which nothing refuses.
func storeInUse(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, storeMarkFile))
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	fileStore := exists(filepath.Join(dataDir, "secrets", "secrets.json"))
	kmsKeys := exists(filepath.Join(dataDir, "kms"))
	switch {
	case fileStore && !kmsKeys:
		return config.SecretStoreSecretsManager, nil
	case kmsKeys && !fileStore:
		return config.SecretStoreEnvelope, nil
	}
	return "", nil
}

func isDevStore(store string) bool {
	return store == config.SecretStoreSecretsManager || store == config.SecretStoreEnvelope
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
