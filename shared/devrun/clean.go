package devrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Clean removes a data folder (make clean), unless a `hookrelay dev` runs
// on it: removing dynalite's files and the state file under a running
// stack leaves a stack the CLI cannot find, and `hookrelay token` then
// makes a key the stack does not accept. Clean holds the dev lock while
// the files go, so no stack starts on a half-removed folder.
func Clean(dataDir string) error {
	if _, err := os.Stat(dataDir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	l, err := acquireLock(dataDir)
	if errors.Is(err, ErrAlreadyRunning) {
		return fmt.Errorf("%w on %s (pid %s): stop it first (Ctrl-C in its terminal), then clean",
			ErrAlreadyRunning, dataDir, holderPID(filepath.Join(dataDir, LockFile)))
	}
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(dataDir)
	for _, e := range entries {
		if err == nil && e.Name() != LockFile {
			err = os.RemoveAll(filepath.Join(dataDir, e.Name()))
		}
	}
	// The lock file goes last, unlocked: Windows deletes no open file.
	l.release()
	if err != nil {
		return err
	}
	return os.RemoveAll(dataDir)
}
