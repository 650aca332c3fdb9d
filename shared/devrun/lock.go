package devrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the lock inside the data folder that makes one `hookrelay
// dev` per data folder: two would share dynalite's files and fight over
// the state file.
const LockFile = "dev.lock"

// ErrAlreadyRunning is returned (wrapped, with the holder's pid) when
// another stack holds the data folder.
var ErrAlreadyRunning = errors.New("hookrelay dev is already running")

// lock is an OS file lock on <data>/dev.lock (flock, or LockFileEx on
// Windows). The kernel drops it when the process dies, so a crashed dev
// never leaves a stale lock behind (a pid file would).
type lock struct{ f *os.File }

func acquireLock(dataDir string) (*lock, error) {
	path := filepath.Join(dataDir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%w (pid %s): stop it first, or set HOOKRELAY_DATA_DIR to use another data folder",
				ErrAlreadyRunning, holderPID(path))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The pid is informative only (for the message above); the file lock
	// is what excludes.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &lock{f: f}, nil
}

// Hold takes the data folder's dev lock, as a running `hookrelay dev`
// does, until release: a stand-in for a dev (a test's fake stack) holds
// it so that the CLI takes its state file for a running stack's.
func Hold(dataDir string) (release func(), err error) {
	l, err := acquireLock(dataDir)
	if err != nil {
		return nil, err
	}
	return l.release, nil
}

func holderPID(path string) string {
	b, err := os.ReadFile(path)
	if pid := strings.TrimSpace(string(b)); err == nil && pid != "" {
		return pid
	}
	return "unknown"
}

// release unlocks. The file stays: deleting a lock file while another
// process waits on it would let two processes each lock a different file.
func (l *lock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = unlock(l.f)
	_ = l.f.Close()
	l.f = nil
}
