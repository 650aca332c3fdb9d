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

// checkSecretStore refuses to run store on a data folder whose webhooks
// keep their secrets in the other store, before anything starts.
func checkSecretStore(dataDir, store string) error {
	used, err := storeInUse(dataDir)
	if err != nil || used == "" || used == store || !isDevStore(store) {
		return err
	}
	return fmt.Errorf("%s=%s, but the webhooks in %s keep their signing secrets in the %s store, and make dev cannot move them: "+
		"run it with %s=%s, or `make clean` to start over, or set %s to another data folder",
		config.EnvSecretStore, store, dataDir, used, config.EnvSecretStore, used, devstate.EnvDataDir)
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
