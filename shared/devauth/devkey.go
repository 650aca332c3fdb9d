package devauth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hookrelay/hookrelay/shared/emulator"
)

// EnvDevKeyFile overrides where the dev signing key lives. It is dev-only,
// so it is not part of shared/config (the Lambdas never read it).
const EnvDevKeyFile = "HOOKRELAY_DEV_JWT_KEY_FILE"

const KeyFileName = "dev-jwt.key"

// DevKey loads the dev signing key, creating it on first use. The path is
// $HOOKRELAY_DEV_JWT_KEY_FILE, else <dir>/dev-jwt.key, where an empty dir
// means .hookrelay under the repository root. `hookrelay token` and
// `hookrelay dev` call it concurrently, so creation must not race: the key
// is written to a temporary file and hard-linked into place, which either
// publishes a complete file or fails because another process won.
func DevKey(dir string) ([]byte, error) {
	path, err := devKeyPath(dir)
	if err != nil {
		return nil, err
	}
	if key, err := readDevKey(path); !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := createDevKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return readDevKey(path)
}

// SigningKey is the key a dev token is signed with (`hookrelay token`,
// and the commands that sign one for --org). The file
// $HOOKRELAY_DEV_JWT_KEY_FILE names is used first, without looking for the
// repository, and must exist: `make dev` creates it on its first start,
// and a key made here instead would not be the one the running API checks
// with. Without the variable it is DevKey of dataDir(), created if
// missing (the `make dev` that starts later uses it).
func SigningKey(dataDir func() (string, error)) ([]byte, error) {
	if p := strings.TrimSpace(os.Getenv(EnvDevKeyFile)); p != "" {
		key, err := readDevKey(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s=%s: no key there (`make dev` creates it on its first start with the same %s)", EnvDevKeyFile, p, EnvDevKeyFile)
		}
		return key, err
	}
	dir, err := dataDir()
	if err != nil {
		return nil, err
	}
	return DevKey(dir)
}

func devKeyPath(dir string) (string, error) {
	if p := strings.TrimSpace(os.Getenv(EnvDevKeyFile)); p != "" {
		return p, nil
	}
	if dir == "" {
		root, err := emulator.RepoRoot()
		if err != nil {
			return "", fmt.Errorf("dev key: %w", err)
		}
		dir = filepath.Join(root, ".hookrelay")
	}
	return filepath.Join(dir, KeyFileName), nil
}

func readDevKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("dev key %s is not 32+ hex-encoded bytes; delete it to regenerate", path)
	}
	return key, nil
}

func createDevKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("dev key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), KeyFileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("dev key: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp opens with O_EXCL and mode 0600.
	_, werr := tmp.WriteString(hex.EncodeToString(key) + "\n")
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("dev key: %w", err)
	}
	return os.Link(tmp.Name(), path)
}
