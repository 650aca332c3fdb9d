package testenv

import (
	"sync"
	"testing"
)

// RunWide runs one subtest per case, at most width at once, each in a
// goroutine of its own. For cases that mostly wait (on a visibility
// timeout, a poll): under -parallel, which is GOMAXPROCS (2 on CI), those
// waits would queue one after another; the bound keeps a loaded machine
// from starving their work. run gets the case's index.
func RunWide[C any](t *testing.T, width int, cases []C, name func(C) string, run func(t *testing.T, i int, c C)) {
	t.Helper()
	slots := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(name(c), func(t *testing.T) { run(t, i, c) })
		})
	}
	wg.Wait()
}
