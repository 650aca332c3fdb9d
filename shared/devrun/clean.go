package devrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// devEntries are what `hookrelay dev` creates in its data folder: all
// Clean removes. HOOKRELAY_DATA_DIR may name any folder, so anything
// else in it is the user's and stays.
var devEntries = []string{
	LockFile, devstate.FileName, devstate.FileName + ".tmp", devauth.KeyFileName, storeMarkFile,
	"dynamodb", "goaws", "kms", "secrets", "dynamodb.log", "goaws.log", "kms.log",
}

// devTempPrefixes start the names of temporary files dev writes by rename.
var devTempPrefixes = []string{devauth.KeyFileName + ".tmp-"}

func isDevEntry(name string) bool {
	return slices.Contains(devEntries, name) ||
		slices.ContainsFunc(devTempPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// Cleaned is what Clean did: whether the folder existed, and the entries
// it kept because `hookrelay dev` did not make them (the folder stays).
type Cleaned struct {
	Existed bool
	Kept    []string
}

// Clean removes a data folder's dev files (make clean), unless a
// `hookrelay dev` runs on it: removing dynalite's files and the state file
// under a running stack leaves a stack the CLI cannot find, and `hookrelay
// token` then makes a key the stack does not accept. Clean holds the dev
// lock while the files go, so no stack starts on a half-removed folder.
// The folder itself goes only if nothing else is left in it.
func Clean(dataDir string) (Cleaned, error) {
	if _, err := os.Stat(dataDir); errors.Is(err, os.ErrNotExist) {
		return Cleaned{}, nil
	}
	l, err := acquireLock(dataDir)
	if errors.Is(err, ErrAlreadyRunning) {
		return Cleaned{}, fmt.Errorf("%w on %s (pid %s): stop it first (Ctrl-C in its terminal), then clean",
			ErrAlreadyRunning, dataDir, holderPID(filepath.Join(dataDir, LockFile)))
	}
	if err != nil {
		return Cleaned{}, err
	}
	done := Cleaned{Existed: true}
	entries, err := os.ReadDir(dataDir)
	for _, e := range entries {
		switch {
		case !isDevEntry(e.Name()):
			done.Kept = append(done.Kept, e.Name())
		case err == nil && e.Name() != LockFile:
			err = os.RemoveAll(filepath.Join(dataDir, e.Name()))
		}
	}
	// The lock file goes last, unlocked: Windows deletes no open file.
	l.release()
	if err == nil {
		err = os.Remove(filepath.Join(dataDir, LockFile))
	}
	if err != nil {
		return done, err
	}
	if len(done.Kept) > 0 {
		return done, nil
	}
	return done, os.Remove(dataDir)
}
