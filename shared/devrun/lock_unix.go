//go:build unix

package devrun

import (
	"os"
	"syscall"
)

// errLocked is what tryLock returns while another process holds the lock.
var errLocked = syscall.EWOULDBLOCK

func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
