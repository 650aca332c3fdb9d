// Package devstate is the small file `hookrelay dev` writes while it runs,
// so other commands (dlq, e2e scripts) find the local emulators and queues
// without flags. It lives in the git-ignored data folder.
package devstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hookrelay/hookrelay/shared/emulator"
)

// FileName is the state file inside the data folder.
const FileName = "dev.json"

// EnvDataDir overrides the data folder (default `.hookrelay` at the repo root).
const EnvDataDir = "HOOKRELAY_DATA_DIR"

// State describes a running `hookrelay dev`.
type State struct {
	PID              int    `json:"pid"`
	API              string `json:"api"` // http://127.0.0.1:8080
	DynamoEndpoint   string `json:"dynamodb_endpoint"`
	SQSEndpoint      string `json:"sqs_endpoint"`
	Region           string `json:"region"`
	Table            string `json:"table"`
	DeliveryQueueURL string `json:"delivery_queue_url"`
	DLQURL           string `json:"dlq_url"`
	IngestQueueURL   string `json:"ingest_queue_url"`
	IngestDLQURL     string `json:"ingest_dlq_url"`
	// SecretStore is the stack's secret store; KMSEndpoint and SecretKeyID
	// are local-kms and its key, with the envelope store only.
	SecretStore string `json:"secret_store"`
	KMSEndpoint string `json:"kms_endpoint,omitempty"`
	SecretKeyID string `json:"secret_key_id,omitempty"`
	// HeaderPrefix brands the deliveries' X-<prefix>-* headers, so
	// `hookrelay listen` checks the ones this stack sends.
	HeaderPrefix string `json:"header_prefix,omitempty"`
}

// ErrNotRunning means no state file exists: `make dev` is not running.
// The error returned wraps it with NotRunning's message.
var ErrNotRunning = errors.New("no local stack is running")

// NotRunning is ErrNotRunning naming the data folder looked in: a make
// dev started with another HOOKRELAY_DATA_DIR runs unseen on its own.
func NotRunning(dir string) error {
	return fmt.Errorf("%w on the data folder %s (start it with `make dev`, or set %s to the folder of the one running)", ErrNotRunning, dir, EnvDataDir)
}

// DataDir returns the data folder: $HOOKRELAY_DATA_DIR or <repo>/.hookrelay.
// A blank value is unset, as for every HOOKRELAY_* variable; a relative
// one is made absolute here, so the messages name the folder meant.
func DataDir() (string, error) {
	if d := strings.TrimSpace(os.Getenv(EnvDataDir)); d != "" {
		return filepath.Abs(d)
	}
	return defaultDataDir()
}

func defaultDataDir() (string, error) {
	root, err := emulator.RepoRoot()
	if err != nil {
		return "", fmt.Errorf("make dev keeps its data in .hookrelay of the hookrelay repository, but there is %w: run this inside the repository, or set %s", err, EnvDataDir)
	}
	return filepath.Join(root, ".hookrelay"), nil
}

// Write saves the state atomically.
func Write(dir string, s State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, FileName+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, FileName))
}

// Read loads the state of the running local stack.
func Read(dir string) (State, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, os.ErrNotExist) {
		return State{}, NotRunning(dir)
	}
	if err != nil {
		return State{}, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return State{}, fmt.Errorf("%s: %w", FileName, err)
	}
	return s, nil
}

// Running reads the state of the `make dev` that runs on the data folder
// (DataDir), and names that folder; ErrNotRunning when none does.
func Running() (State, string, error) {
	dir, err := DataDir()
	if err != nil {
		return State{}, "", err
	}
	s, err := Read(dir)
	return s, dir, err
}

// CommandEnv is what a command typed in another terminal needs in front
// of it to find the make dev on dir: nothing for the default folder, else
// HOOKRELAY_DATA_DIR=<dir> (a bare command would look in the default
// one). "" is the default folder, as for devrun.Options.
func CommandEnv(dir string) string {
	if def, err := defaultDataDir(); dir == "" || (err == nil && def == dir) {
		return ""
	}
	return ShellAssign(EnvDataDir, dir)
}

// ShellAssign is "name=value " for a POSIX shell, the value single-quoted
// unless it holds only characters no shell reads specially.
func ShellAssign(name, value string) string {
	if value == "" || strings.Trim(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+,=-") != "" {
		value = "'" + strings.ReplaceAll(value, "'", `'\''`) + "'"
	}
	return name + "=" + value + " "
}

// Remove deletes the state file when the local stack stops.
func Remove(dir string) { _ = os.Remove(filepath.Join(dir, FileName)) }
