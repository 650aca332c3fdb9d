package devrun

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/hookrelay/hookrelay/shared/devstate"
)

// Running reads the state of the `hookrelay dev` that runs on the data
// folder now, one that holds its lock, and names that folder. A state
// file left by a dev that was killed (SIGKILL, a closed terminal) is
// devstate.ErrNotRunning, so nothing takes its settings for a stack's.
func Running() (devstate.State, string, error) {
	s, dir, err := devstate.Running()
	if err != nil {
		return devstate.State{}, dir, err
	}
	held, err := lockHeld(dir)
	if err != nil {
		return devstate.State{}, dir, err
	}
	if !held {
		return devstate.State{}, dir, devstate.NotRunning(dir)
	}
	return s, dir, nil
}

// lockHeld reports whether a process holds the data folder's dev lock.
// It neither creates the lock file nor writes its pid, as acquireLock
// does: a probe leaves the folder as it found it.
func lockHeld(dataDir string) (bool, error) {
	f, err := os.OpenFile(filepath.Join(dataDir, LockFile), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	switch err := tryLock(f); {
	case errors.Is(err, errLocked):
		return true, nil
	case err != nil:
		return false, err
	}
	return false, unlock(f)
}
