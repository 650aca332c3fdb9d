package devrun

import (
	"os"

	"golang.org/x/sys/windows"
)

// errLocked is what tryLock returns while another process holds the lock.
var errLocked = windows.ERROR_LOCK_VIOLATION

// tryLock locks the file's first byte, the Windows counterpart of flock.
func tryLock(f *os.File) error {
	flags := uint32(windows.LOCKFILE_EXCLUSIVE_LOCK | windows.LOCKFILE_FAIL_IMMEDIATELY)
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, new(windows.Overlapped))
}

func unlock(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}
