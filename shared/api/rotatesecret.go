package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

type rotatedJSON struct {
	SigningSecret           string    `json:"signing_secret"`
	PreviousSecretExpiresAt time.Time `json:"previous_secret_expires_at"`
}

func (s *server) rotateSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := decodeEmptyBody(w, r); err != nil {
		return err
	}
	hook, err := s.webhookFromPath(r, p)
	if err != nil {
		return err
	}
	secret, err := secrets.Generate()
	if err != nil {
		return err
	}
	rot := secrets.NewRotation(secret, s.d.Config.SecretGrace)
	// The store's rule (whole seconds) from a time no later than its own:
	// the old secret signs until this time at least, never less.
	graceEnd := secrets.Record{}.Rotated(rot, s.now()).PreviousExpiresAt
	// over is what the rotation was made over (perhaps another rotation's
	// record that landed meanwhile): what it is undone to.
	over, err := s.d.Secrets.Rotate(r.Context(), p.OrgID, hook.ID, rot)
	if err != nil {
		// A write can land and still answer an error (a timeout after the
		// store applied it): undone too, which leaves a rotation that did
		// not land.
		if !errors.Is(err, secrets.ErrNotFound) {
			s.undoRotation(r.Context(), p.OrgID, hook.ID, rot, over)
		}
		return err
	}
	// Delivery caches secrets by this count, and keeps only the record of
	// this rotation id: it signs with the new secret from its next read of
	// the webhook (within its webhook cache's TTL).
	if err := s.bumpSecretVersion(r.Context(), p.OrgID, hook.ID, graceEnd, rot.ID); err != nil {
		if !errors.Is(err, webhook.ErrNotFound) { // deleted meanwhile: the delete removes the secret
			s.undoRotation(r.Context(), p.OrgID, hook.ID, rot, over)
		}
		return err
	}
	s.countLastRecord(r.Context(), p.OrgID, hook.ID, rot.ID, over.Rotation)
	writeJSON(w, http.StatusOK, rotatedJSON{SigningSecret: secret, PreviousSecretExpiresAt: graceEnd})
	return nil
}

// bumpSecretVersion counts the rotation, trying twice: a rotation it
// cannot count is undone.
func (s *server) bumpSecretVersion(ctx context.Context, orgID, id string, previousExpiresAt time.Time, rotation string) error {
	err := s.d.Webhooks.BumpSecretVersion(ctx, orgID, id, previousExpiresAt, rotation)
	if err == nil || errors.Is(err, webhook.ErrNotFound) {
		return err
	}
	return s.d.Webhooks.BumpSecretVersion(ctx, orgID, id, previousExpiresAt, rotation)
}

// countRereads bounds countLastRecord against a webhook rotated in a loop.
const countRereads = 3

// countLastRecord makes the webhook item name the record the store holds
// now, after counted (the rotation id just counted) was counted: each
// write of the record is followed by its own count, but two rotations'
// counts can land in the other order (or, with Secrets Manager, the
// write that landed last be counted first), and an item naming a record
// the store no longer holds makes deliver read the store at every
// delivery until the next rotation. So the record is read
// after the count, and another rotation's found there is counted too:
// the last count to land is followed by a read that sees the last
// write. A read that still returns stale, the record counted was made
// over (no write puts it back under its id), has not seen the write yet
// and changes nothing, as does a record without an id (written by an api
// from before ids, counted by the older rule). Best effort, and bounded
// in count and, as other bookkeeping, in time (a slow store must not hold
// back the answer that shows the new secret): the rotation
// stands either way.
func (s *server) countLastRecord(ctx context.Context, orgID, id, counted, stale string) {
	ctx, cancel := detach.Bookkeeping(ctx)
	defer cancel()
	for range countRereads {
		r, err := s.d.Secrets.Record(ctx, orgID, id)
		if err == nil && (r.Rotation == counted || r.Rotation == stale || r.Rotation == "") {
			return
		}
		if err == nil {
			err = s.d.Webhooks.BumpSecretVersion(ctx, orgID, id, r.PreviousExpiresAt, r.Rotation)
			counted = r.Rotation
		}
		if err != nil {
			if !errors.Is(err, secrets.ErrNotFound) && !errors.Is(err, webhook.ErrNotFound) {
				s.d.Logger.LogAttrs(ctx, slog.LevelWarn, "rotate: the webhook may not name its secret record: deliveries read the secret store until the next rotation",
					slog.String("org_id", orgID), slog.String("webhook_id", id), slog.String("error", err.Error()))
			}
			return
		}
	}
}

// undoRotation puts back over, the record a rotation that answers an
// error was made over (whatever landed before it): its secret, shown to
// nobody, must not sign (cold deliver containers would read it, and after
// the grace sign with it alone). It restores only while the store holds
// that rotation's record (secrets.Undo, by its id): a rotation made over
// it since may have answered 200 and stands; it is logged. The count is
// bumped once more, best effort, with the restored record's own new id,
// so that a reader who saw a bump that landed despite its error reads the
// restored record and keeps no other. Logs never name a secret.
func (s *server) undoRotation(ctx context.Context, orgID, id string, rot secrets.Rotation, over secrets.Record) {
	ctx = context.WithoutCancel(ctx)
	wrote := secrets.Record{Current: rot.Secret, Rotation: rot.ID}
	restored := over
	restored.Rotation = secrets.NewRotationID()
	undone, err := secrets.Undo(ctx, s.d.Secrets, orgID, id, wrote, restored)
	switch {
	case undone == secrets.Superseded:
		s.d.Logger.LogAttrs(ctx, slog.LevelWarn, "rotate: a rotation that failed was not undone: another rotation landed meanwhile and stands",
			slog.String("org_id", orgID), slog.String("webhook_id", id))
	case err == nil && undone == secrets.Restored:
		if err = s.d.Webhooks.BumpSecretVersion(ctx, orgID, id, restored.PreviousExpiresAt, restored.Rotation); err != nil {
			err = fmt.Errorf("restored, not counted: %w", err)
		} else {
			s.countLastRecord(ctx, orgID, id, restored.Rotation, rot.ID)
		}
	}
	if err != nil && !errors.Is(err, webhook.ErrNotFound) {
		s.d.Logger.LogAttrs(ctx, slog.LevelError, "rotate: a rotation that failed could not be undone; its secret may sign: rotate again",
			slog.String("org_id", orgID), slog.String("webhook_id", id), slog.String("error", err.Error()))
	}
}
