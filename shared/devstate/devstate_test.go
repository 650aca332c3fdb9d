package devstate

import (
	"errors"
	"testing"
)

func TestWriteReadRemove(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("empty dir: %v", err)
	}
	want := State{PID: 42, API: "http://127.0.0.1:8080", DLQURL: "http://127.0.0.1:1/q/dlq"}
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil || got != want {
		t.Fatalf("read %+v %v", got, err)
	}
	Remove(dir)
	if _, err := Read(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after remove: %v", err)
	}
}
