package envelope

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// Store is the envelope secrets.Store. One per container: its data key
// cache is what makes steady-state reads free of KMS calls.
type Store struct {
	items Items
	keys  *keyCache
	now   func() time.Time // tests pin the rotation time
}

var _ secrets.Store = (*Store)(nil)

// New seals with data keys from kms and keeps the sealed form in items.
func New(kms KeyService, items Items) *Store {
	return &Store{items: items, keys: newKeyCache(kms), now: time.Now}
}

// Create generates the webhook's data key (one KMS call) and stores the
// sealed first record.
func (s *Store) Create(ctx context.Context, orgID, webhookID, secret string) error {
	if err := secrets.CheckWrite(orgID, webhookID, secret); err != nil {
		return err
	}
	return s.create(ctx, orgID, webhookID, secrets.Record{Current: secret})
}

// create seals r under a new data key onto an item without sealed secrets.
func (s *Store) create(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	key, encrypted, err := s.keys.kms.GenerateDataKey(ctx, orgID, webhookID)
	if err != nil {
		return fmt.Errorf("secrets: create webhook %s: generate data key: %w", webhookID, err)
	}
	box, err := seal(key, orgID, webhookID, r)
	if err != nil {
		return err
	}
	err = s.items.CreateSealed(ctx, orgID, webhookID, Sealed{DataKey: encrypted, Box: box})
	if errors.Is(err, ErrSealedExists) {
		return fmt.Errorf("secrets: webhook %s: %w", webhookID, secrets.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("secrets: create webhook %s: %w", webhookID, err)
	}
	s.keys.remember(orgID, webhookID, encrypted, key)
	return nil
}

// Rotate reseals the rotated record under the same data key, on condition
// that nobody resealed meanwhile, and again over the record left by a
// write that did (secrets.Serialized): of two concurrent rotations both
// secrets are kept, the later one current. A retry that finds the record
// this rotation wrote (its first write landed but answered a conflict: an
// SDK retry of the landed conditional write) writes nothing more.
func (s *Store) Rotate(ctx context.Context, orgID, webhookID string, rot secrets.Rotation) (secrets.Record, error) {
	if err := secrets.CheckWrite(orgID, webhookID, rot.Secret); err != nil {
		return secrets.Record{}, err
	}
	var over secrets.Record // what the last write was made over
	err := secrets.Serialized(func() error {
		old, r, key, err := s.read(ctx, orgID, webhookID)
		if err != nil || rot.Made(r) {
			return err
		}
		over = r
		return s.reseal(ctx, "rotate", orgID, webhookID, old, key, r.Rotated(rot, s.now()))
	})
	return over, err
}

// change reseals what next makes of the webhook's record under the same
// data key, on condition that nobody resealed since the read
// (secrets.ErrConflict otherwise).
func (s *Store) change(ctx context.Context, op, orgID, webhookID string, next func(secrets.Record) (secrets.Record, error)) error {
	old, r, key, err := s.read(ctx, orgID, webhookID)
	if err != nil {
		return err
	}
	if r, err = next(r); err != nil {
		return s.wrap(op, webhookID, err)
	}
	return s.reseal(ctx, op, orgID, webhookID, old, key, r)
}

// reseal replaces old with r sealed under the same data key.
func (s *Store) reseal(ctx context.Context, op, orgID, webhookID string, old Sealed, key []byte, r secrets.Record) error {
	box, err := seal(key, orgID, webhookID, r)
	if err != nil {
		return err
	}
	return s.wrap(op, webhookID, s.items.ReplaceSealed(ctx, orgID, webhookID, old, Sealed{DataKey: old.DataKey, Box: box}))
}

// ScheduleDeletion removes the sealed secrets at once: without its item's
// ciphertext a data key opens nothing, so there is nothing to keep for a
// recovery window (a deleted webhook's item is gone with them anyway).
func (s *Store) ScheduleDeletion(ctx context.Context, orgID, webhookID string) error {
	if err := secrets.CheckIDs(orgID, webhookID); err != nil {
		return err
	}
	return s.wrap("delete", webhookID, s.items.RemoveSealed(ctx, orgID, webhookID))
}

// read returns the stored form, the record it opens to, and the data key.
func (s *Store) read(ctx context.Context, orgID, webhookID string) (Sealed, secrets.Record, []byte, error) {
	sealed, err := s.items.GetSealed(ctx, orgID, webhookID)
	if err != nil {
		return Sealed{}, secrets.Record{}, nil, s.wrap("read", webhookID, err)
	}
	key, err := s.keys.plaintext(ctx, orgID, webhookID, sealed.DataKey)
	if err != nil {
		return Sealed{}, secrets.Record{}, nil, fmt.Errorf("secrets: read webhook %s: decrypt data key: %w", webhookID, err)
	}
	r, err := open(key, orgID, webhookID, sealed.Box)
	if err != nil {
		return Sealed{}, secrets.Record{}, nil, fmt.Errorf("secrets: read webhook %s: %w", webhookID, err)
	}
	return sealed, r, key, nil
}

// wrap maps the item port's errors to the secrets sentinels.
func (s *Store) wrap(op, webhookID string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNoSealed):
		return fmt.Errorf("secrets: %s webhook %s: %w", op, webhookID, secrets.ErrNotFound)
	case errors.Is(err, ErrSealedChanged):
		return fmt.Errorf("secrets: %s webhook %s: %w: %w", op, webhookID, secrets.ErrConflict, err)
	default:
		return fmt.Errorf("secrets: %s webhook %s: %w", op, webhookID, err)
	}
}

// Record returns the webhook's whole record; secrets.ErrNotFound when its
// item holds none.
func (s *Store) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	if err := secrets.CheckIDs(orgID, webhookID); err != nil {
		return secrets.Record{}, err
	}
	_, r, _, err := s.read(ctx, orgID, webhookID)
	return r, err
}

// PutRecord makes the item hold r: sealed under its data key when it has
// one (on condition that nobody resealed meanwhile), else under a new one.
func (s *Store) PutRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	err := s.ReplaceRecord(ctx, orgID, webhookID, r)
	if errors.Is(err, secrets.ErrNotFound) {
		return s.create(ctx, orgID, webhookID, r)
	}
	return err
}

// ReplaceRecord reseals r under the item's data key, on condition that
// nobody resealed since its read, read again if someone did (r replaces
// whatever is there); secrets.ErrNotFound when the item holds no sealed
// secrets (or they were removed meanwhile).
func (s *Store) ReplaceRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	if err := secrets.CheckWrite(orgID, webhookID, r.Current); err != nil {
		return err
	}
	return secrets.Serialized(func() error {
		return s.change(ctx, "write", orgID, webhookID, func(secrets.Record) (secrets.Record, error) { return r, nil })
	})
}

// SwapRecord is ReplaceRecord while the record is the one named from
// (secrets.ErrConflict otherwise): the reseal's condition makes the check
// and the write one step.
func (s *Store) SwapRecord(ctx context.Context, orgID, webhookID, from string, r secrets.Record) error {
	if err := secrets.CheckWrite(orgID, webhookID, r.Current); err != nil {
		return err
	}
	return s.change(ctx, "write", orgID, webhookID, func(cur secrets.Record) (secrets.Record, error) {
		if cur.Rotation != from {
			return secrets.Record{}, secrets.ErrConflict
		}
		return r, nil
	})
}
