package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// startDevStack runs a local stack, as make dev does, on a data folder
// and a port of its own until the test ends, with env over its
// HOOKRELAY_* variables; the CLI finds it through $HOOKRELAY_DATA_DIR.
func startDevStack(t *testing.T, env map[string]string) *devrun.Stack {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel() // bounds the start only: the stack runs until Stop
	s, err := devrun.Start(ctx, devrun.Options{DataDir: dir, Addr: "127.0.0.1:0", Env: env,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	t.Setenv(devstate.EnvDataDir, dir)
	return s
}
