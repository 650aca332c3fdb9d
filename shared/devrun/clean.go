package devrun

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// devEntries are what `hookrelay dev` creates in its data folder.
var devEntries = []string{
	LockFile, devstate.FileName, devstate.FileName + ".tmp", devauth.KeyFileName, storeMarkFile,
	"dynamodb", "goaws", "kms", "secrets", "dynamodb.log", "goaws.log", "kms.log",
}

// devMarks are the entries only dev (or `hookrelay token`) writes: a
// folder holding none of them was never make dev's, whatever else it holds.
// Every start leaves its lock file (released, not removed).
var devMarks = []string{LockFile, devstate.FileName, devauth.KeyFileName, storeMarkFile}

// devTempPrefixes start the names of temporary files dev writes by rename.
var devTempPrefixes = []string{devauth.KeyFileName + ".tmp-"}

// devFolderFiles tell, for each folder dev creates, the names its owner
// writes there; anything else in it (a file of other names, any folder)
// is not make dev's, and Clean must not remove it with the folder.
var devFolderFiles = map[string]func(name string) bool{
	"dynamodb": levelDBFile.MatchString, // dynalite's store
	"kms":      levelDBFile.MatchString, // local-kms's store
	"goaws":    func(name string) bool { return name == "goaws.yaml" },
	// devsecrets's file and the temporary files it renames onto it.
	"secrets": regexp.MustCompile(`^secrets\.json(\.[0-9]+\.tmp)?$`).MatchString,
}

// levelDBFile matches the names LevelDB (dynalite's C++ one and
// local-kms's Go one) keeps in its folder.
var levelDBFile = regexp.MustCompile(`^(CURRENT(\.bak|\.[0-9]+)?|LOCK|LOG(\.old)?|MANIFEST-[0-9]+|[0-9]+\.(log|ldb|sst|tmp|dbtmp))$`)

func isDevEntry(name string) bool {
	return slices.Contains(devEntries, name) ||
		slices.ContainsFunc(devTempPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// ErrNotDevData: Clean found a folder that is not only make dev's data
// (HOOKRELAY_DATA_DIR may name any folder) and removed nothing from it.
var ErrNotDevData = errors.New("not only make dev's data")

// Clean removes a data folder (make clean), unless a `hookrelay dev` runs
// on it: removing dynalite's files and the state file under a running
// stack leaves a stack the CLI cannot find, and `hookrelay token` then
// makes a key the stack does not accept. Clean holds the dev lock while
// the files go, so no stack starts on a half-removed folder. It removes
// nothing from a folder holding anything dev did not create, or none of
// dev's marks: a user's folder named by HOOKRELAY_DATA_DIR stays whole.
// It reports whether the folder existed.
func Clean(dataDir string) (bool, error) {
	entries, err := os.ReadDir(dataDir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if err := checkDevData(dataDir, entries); err != nil {
		return true, err
	}
	l, err := acquireLock(dataDir)
	if errors.Is(err, ErrAlreadyRunning) {
		return true, fmt.Errorf("%w on %s (pid %s): stop it first (Ctrl-C in its terminal), then clean",
			ErrAlreadyRunning, dataDir, holderPID(filepath.Join(dataDir, LockFile)))
	}
	if err != nil {
		return true, err
	}
	for _, e := range entries {
		if err == nil && e.Name() != LockFile {
			err = os.RemoveAll(filepath.Join(dataDir, e.Name()))
		}
	}
	// The lock file goes last, unlocked: Windows deletes no open file.
	l.release()
	if err != nil {
		return true, err
	}
	return true, os.RemoveAll(dataDir)
}

// checkDevData refuses a folder that holds anything dev did not create,
// at its top or inside dev's folders, or that holds something but none
// of dev's marks.
func checkDevData(dataDir string, entries []os.DirEntry) error {
	var foreign []string
	marked := false
	for _, e := range entries {
		marked = marked || slices.Contains(devMarks, e.Name())
		if !isDevEntry(e.Name()) {
			foreign = append(foreign, e.Name())
			continue
		}
		inside, err := foreignInside(dataDir, e)
		if err != nil {
			return err
		}
		foreign = append(foreign, inside...)
	}
	switch {
	case len(foreign) > 0:
		return fmt.Errorf("%s is %w: it also holds %s; nothing removed (point HOOKRELAY_DATA_DIR at make dev's own folder)",
			dataDir, ErrNotDevData, strings.Join(foreign, ", "))
	case len(entries) > 0 && !marked:
		return fmt.Errorf("%s is %w: none of %s is in it; nothing removed", dataDir, ErrNotDevData, strings.Join(devMarks, ", "))
	}
	return nil
}

// foreignInside names what one of dev's folders holds that its owner
// does not write there. A symlink (or a file) of a dev folder's name is
// removed as itself, never followed, so it is not looked into.
func foreignInside(dataDir string, e os.DirEntry) ([]string, error) {
	owned, ok := devFolderFiles[e.Name()]
	if !ok || !e.IsDir() {
		return nil, nil
	}
	inner, err := os.ReadDir(filepath.Join(dataDir, e.Name()))
	if err != nil {
		return nil, err
	}
	var foreign []string
	for _, f := range inner {
		if f.IsDir() || !owned(f.Name()) {
			foreign = append(foreign, path.Join(e.Name(), f.Name()))
		}
	}
	return foreign, nil
}
