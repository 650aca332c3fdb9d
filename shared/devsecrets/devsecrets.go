// Package devsecrets is the secrets.Store of `hookrelay dev` and the tests:
// in memory, or a 0600 JSON file so secrets survive a dev restart. Lambdas
// never link it; they use the Secrets Manager adapter (awssecrets).
package devsecrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// localFile is the file name under the Local store's directory.
const localFile = "secrets.json"

// Local is the Store used by `hookrelay dev` and by tests. It follows the
// AWS adapter's semantics (grace period, secrets.ErrNotFound, secrets.ErrExists) so code
// exercised locally behaves the same when deployed. With a directory it
// persists to a 0600 JSON file so secrets survive a dev restart.
type Local struct {
	mu      sync.Mutex
	path    string                    // "" = memory only
	records map[string]secrets.Record // key: orgID + "/" + webhookID
	now     func() time.Time          // tests move the clock
}

var _ secrets.Store = (*Local)(nil)

// NewLocal opens (or creates) the store in dir; dir "" keeps it in memory.
func NewLocal(dir string) (*Local, error) {
	l := &Local{records: map[string]secrets.Record{}, now: time.Now}
	if dir == "" {
		return l, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("secrets: create %s: %w", dir, err)
	}
	l.path = filepath.Join(dir, localFile)
	data, err := os.ReadFile(l.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return l, nil
	case err != nil:
		return nil, fmt.Errorf("secrets: read %s: %w", l.path, err)
	}
	// The decode error is not wrapped: json errors may quote file content,
	// which is secret material.
	if err := json.Unmarshal(data, &l.records); err != nil {
		return nil, fmt.Errorf("secrets: %s is not a valid secrets file", l.path)
	}
	return l, nil
}

func localKey(orgID, webhookID string) string { return orgID + "/" + webhookID }

// Create stores the first secret of a webhook.
func (l *Local) Create(_ context.Context, orgID, webhookID, secret string) error {
	if err := secrets.CheckWrite(orgID, webhookID, secret); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := localKey(orgID, webhookID)
	if _, ok := l.records[key]; ok {
		return fmt.Errorf("secrets: webhook %s: %w", webhookID, secrets.ErrExists)
	}
	return l.update(key, secrets.Record{Current: secret})
}

// Rotate makes rot.Secret current; the old one stays valid until
// now+rot.Grace.
func (l *Local) Rotate(_ context.Context, orgID, webhookID string, rot secrets.Rotation) (secrets.Record, error) {
	if err := secrets.CheckWrite(orgID, webhookID, rot.Secret); err != nil {
		return secrets.Record{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := localKey(orgID, webhookID)
	r, ok := l.records[key]
	if !ok {
		return secrets.Record{}, fmt.Errorf("secrets: webhook %s: %w", webhookID, secrets.ErrNotFound)
	}
	if rot.Made(r) { // made already: a retry writes nothing more
		return secrets.Record{}, nil
	}
	return r, l.update(key, r.Rotated(rot, l.now()))
}

// Record returns the webhook's secrets with the end of their grace.
func (l *Local) Record(_ context.Context, orgID, webhookID string) (secrets.Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.records[localKey(orgID, webhookID)]
	if !ok {
		return secrets.Record{}, fmt.Errorf("secrets: webhook %s: %w", webhookID, secrets.ErrNotFound)
	}
	return r, nil
}

// ReplaceRecord makes an existing record r; ErrNotFound when there is none.
func (l *Local) ReplaceRecord(_ context.Context, orgID, webhookID string, r secrets.Record) error {
	return l.replace(orgID, webhookID, nil, r)
}

// SwapRecord makes an existing record r while it is the one named from
// (secrets.ErrConflict otherwise); the lock makes check and write one step.
func (l *Local) SwapRecord(_ context.Context, orgID, webhookID, from string, r secrets.Record) error {
	return l.replace(orgID, webhookID, &from, r)
}

// replace writes r over the existing record, when from is set only while
// that record's Rotation is *from.
func (l *Local) replace(orgID, webhookID string, from *string, r secrets.Record) error {
	if err := secrets.CheckWrite(orgID, webhookID, r.Current); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := localKey(orgID, webhookID)
	cur, ok := l.records[key]
	switch {
	case !ok:
		return fmt.Errorf("secrets: webhook %s: %w", webhookID, secrets.ErrNotFound)
	case from != nil && cur.Rotation != *from:
		return fmt.Errorf("secrets: webhook %s: %w", webhookID, secrets.ErrConflict)
	}
	return l.update(key, r)
}

// ScheduleDeletion removes the secret at once (there is no recovery window
// locally: a deleted webhook cannot come back).
func (l *Local) ScheduleDeletion(_ context.Context, orgID, webhookID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := localKey(orgID, webhookID)
	if _, ok := l.records[key]; !ok {
		return fmt.Errorf("secrets: webhook %s: %w", webhookID, secrets.ErrNotFound)
	}
	return l.update(key, secrets.Record{})
}

// update sets (or, for the zero record, deletes) key and persists. On a
// write failure the in-memory map is restored so memory and disk agree.
// Callers hold l.mu.
func (l *Local) update(key string, r secrets.Record) error {
	old, had := l.records[key]
	if r == (secrets.Record{}) {
		delete(l.records, key)
	} else {
		l.records[key] = r
	}
	if err := l.persist(); err != nil {
		if had {
			l.records[key] = old
		} else {
			delete(l.records, key)
		}
		return err
	}
	return nil
}

// persist writes the whole map to a temp file in the same directory and
// renames it over the old one, so a crash leaves either the old or the new
// file, never a torn one. os.CreateTemp creates the file 0600.
func (l *Local) persist() error {
	if l.path == "" {
		return nil
	}
	data, err := json.Marshal(l.records)
	if err != nil {
		return fmt.Errorf("secrets: encode store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(l.path), localFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("secrets: write store: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: write store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: write store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secrets: write store: %w", err)
	}
	if err := os.Rename(tmp.Name(), l.path); err != nil {
		return fmt.Errorf("secrets: write store: %w", err)
	}
	return nil
}
