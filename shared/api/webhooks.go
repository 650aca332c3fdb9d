package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"time"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// webhookJSON is the one shape a webhook has in responses. It has no
// secret field, so get and list cannot leak one.
type webhookJSON struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"event_types"`
	AllEvents  bool      `json:"all_events"`
	Enabled    bool      `json:"enabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// DisabledReason is "failing" when hookrelay disabled it (README
	// "Endpoint health"), with DisabledAt; absent otherwise.
	DisabledReason string     `json:"disabled_reason,omitempty"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	Health         healthJSON `json:"health"`
	// PreviousSecretExpiresAt: while a rotation's grace lasts, when the
	// previous secret stops signing; absent otherwise.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	// ParkedFrom: in a get of one webhook, while deliveries parked for it
	// remain, a time a recover queues them all from; absent otherwise.
	ParkedFrom *time.Time `json:"parked_from,omitempty"`
	// DeadLettersFrom: while a recover owes the webhook a read of its dead
	// letters, the time from which (webhook.Webhook.DeadLettersFrom).
	DeadLettersFrom *time.Time `json:"dead_letters_from,omitempty"`
}

// toJSON is w as responses show it at now: a grace already over is not
// shown, since only the current secret signs.
func toJSON(w webhook.Webhook, now time.Time) webhookJSON {
	out := webhookJSON{
		ID: w.ID, Name: w.Name, URL: w.URL, EventTypes: w.EventTypes,
		AllEvents: w.AllEvents, Enabled: w.Enabled,
		CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC(),
		DisabledReason: w.DisabledReason, DisabledAt: optionalTime(w.DisabledAt), Health: toHealthJSON(w.Health, now),
		DeadLettersFrom: optionalTime(w.DeadLettersFrom),
	}
	if now.Before(w.PreviousSecretExpiresAt) {
		out.PreviousSecretExpiresAt = optionalTime(w.PreviousSecretExpiresAt)
	}
	return out
}

// createdWebhookJSON is the only response besides rotation with a secret.
type createdWebhookJSON struct {
	webhookJSON
	SigningSecret string `json:"signing_secret"`
}

type listJSON[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// webhookInput is the create and PATCH body. Pointers (and a nil slice)
// tell an absent field from a zero one.
type webhookInput struct {
	Name       *string  `json:"name"`
	URL        *string  `json:"url"`
	EventTypes []string `json:"event_types"`
	AllEvents  *bool    `json:"all_events"`
	Enabled    *bool    `json:"enabled"`
}

func (s *server) now() time.Time { return s.d.Now().UTC() }

// webhookFromPath loads the caller's webhook named in the URL. Ids that
// cannot exist and other orgs' webhooks are both plain 404s.
func (s *server) webhookFromPath(r *http.Request, p auth.Principal) (webhook.Webhook, error) {
	id := r.PathValue("id")
	if !ids.Valid(ids.WebhookPrefix, id) {
		return webhook.Webhook{}, errWebhookNotFound
	}
	return s.d.Webhooks.Get(r.Context(), p.OrgID, id)
}

func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return err
	}
	hooks, next, err := s.d.Webhooks.List(r.Context(), p.OrgID, limit, cursor)
	if err != nil {
		return err
	}
	out := listJSON[webhookJSON]{Data: make([]webhookJSON, 0, len(hooks)), NextCursor: next}
	for _, h := range hooks {
		out.Data = append(out.Data, toJSON(h, s.now()))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *server) createWebhook(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in webhookInput
	if err := decodeJSON(w, r, maxWebhookBody, &in); err != nil {
		return err
	}
	hook, err := s.newWebhook(p.OrgID, in)
	if err != nil {
		return err
	}
	// An org at its limit is refused before its secret is written (each
	// would cost a secret created and scheduled for deletion).
	if err := s.d.Webhooks.CheckLimit(r.Context(), p.OrgID, s.d.Config.MaxWebhooks); err != nil {
		return err
	}
	secret, err := secrets.Generate()
	if err != nil {
		return err
	}
	// Secret first, then the item: fan-out never sees a webhook without a
	// secret. If the item cannot be written the secret is removed again, so
	// a failed create leaves nothing behind.
	if err := s.d.Secrets.Create(r.Context(), p.OrgID, hook.ID, secret); err != nil {
		return err
	}
	if err := s.d.Webhooks.Create(r.Context(), hook, s.d.Config.MaxWebhooks); err != nil {
		s.discardSecret(r.Context(), p.OrgID, hook.ID)
		return err
	}
	writeJSON(w, http.StatusCreated, createdWebhookJSON{webhookJSON: toJSON(hook, s.now()), SigningSecret: secret})
	return nil
}

// discardSecret removes a secret whose webhook does not exist. It runs even
// if the request was cancelled (the cancellation may be why we are here).
func (s *server) discardSecret(ctx context.Context, orgID, webhookID string) {
	if err := s.d.Secrets.ScheduleDeletion(context.WithoutCancel(ctx), orgID, webhookID); err != nil {
		s.d.Logger.LogAttrs(ctx, slog.LevelError, "orphaned signing secret",
			slog.String("org_id", orgID), slog.String("webhook_id", webhookID), slog.String("error", err.Error()))
	}
}

func (s *server) newWebhook(orgID string, in webhookInput) (webhook.Webhook, error) {
	if in.Name == nil {
		return webhook.Webhook{}, invalidField(codeInvalidName, "name is required")
	}
	if in.URL == nil {
		return webhook.Webhook{}, invalidField(codeInvalidURL, "url is required")
	}
	if err := s.valid.name(*in.Name); err != nil {
		return webhook.Webhook{}, err
	}
	if err := s.valid.url(*in.URL); err != nil {
		return webhook.Webhook{}, err
	}
	types, all, err := s.valid.subscription(in.EventTypes, in.AllEvents)
	if err != nil {
		return webhook.Webhook{}, err
	}
	now := s.now()
	return webhook.Webhook{
		ID: ids.NewAt(ids.WebhookPrefix, now), OrgID: orgID,
		Name: *in.Name, URL: *in.URL, EventTypes: types, AllEvents: all,
		Enabled:   in.Enabled == nil || *in.Enabled,
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

func (s *server) getWebhook(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	hook, err := s.webhookFromPath(r, p)
	if err != nil {
		return err
	}
	out := toJSON(hook, s.now())
	if out.ParkedFrom, err = s.parkedFrom(r.Context(), hook); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *server) updateWebhook(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	read, err := s.webhookFromPath(r, p)
	if err != nil {
		return err
	}
	var in webhookInput
	if err := decodeJSON(w, r, maxWebhookBody, &in); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		hook, enabled, err := s.patchWebhook(r, read, in)
		if errors.Is(err, webhook.ErrChanged) && attempt < maxUpdateAttempts {
			// Enabled or disabled meanwhile (hookrelay's disable for
			// failing, a recover): the patch applies to what it is now.
			if read, err = s.webhookFromPath(r, p); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if enabled {
			s.announceEnabled(r.Context(), hook, healthnotice.ReasonTenant)
		}
		writeJSON(w, http.StatusOK, toJSON(hook, s.now()))
		return nil
	}
}

// maxUpdateAttempts bounds an update's reads of a webhook that keeps
// being enabled or disabled under it: past that, its error is a 500.
const maxUpdateAttempts = 3

// patchWebhook applies the body to the webhook as read and stores it;
// enabled says whether it enabled a webhook hookrelay had disabled for
// failing.
func (s *server) patchWebhook(r *http.Request, read webhook.Webhook, in webhookInput) (webhook.Webhook, bool, error) {
	hook := read
	hook.EventTypes = slices.Clone(read.EventTypes)
	if err := s.applyPatch(&hook, in); err != nil {
		return hook, false, err
	}
	enabling := hook.Enabled && !read.Enabled
	if in.Enabled != nil && !*in.Enabled {
		// The tenant's own disable: its deliveries are skipped, not parked.
		hook.DisabledReason, hook.DisabledAt = "", time.Time{}
	}
	if enabling {
		// The tenant's enable starts the endpoint's health over.
		prepareEnable(&hook)
	}
	if reflect.DeepEqual(hook, read) {
		// Nothing changed ({}, or the values it has): updated_at stays
		// the time of the last change.
		return hook, false, nil
	}
	hook.UpdatedAt = s.now()
	if err := s.d.Webhooks.Update(r.Context(), read, hook); err != nil {
		return hook, false, err
	}
	return hook, enabling && read.Parks(), nil
}

// applyPatch changes only the fields present in the body.
func (s *server) applyPatch(hook *webhook.Webhook, in webhookInput) error {
	if in.Name != nil {
		if err := s.valid.name(*in.Name); err != nil {
			return err
		}
		hook.Name = *in.Name
	}
	if in.URL != nil {
		if err := s.valid.url(*in.URL); err != nil {
			return err
		}
		hook.URL = *in.URL
	}
	if in.Enabled != nil {
		hook.Enabled = *in.Enabled
	}
	// "all_events": false alone on a webhook with a list changes nothing;
	// on an all-events webhook it needs the list that replaces "*".
	keepList := in.EventTypes == nil && in.AllEvents != nil && !*in.AllEvents && !hook.AllEvents
	if (in.EventTypes != nil || in.AllEvents != nil) && !keepList {
		types, all, err := s.valid.subscription(in.EventTypes, in.AllEvents)
		if err != nil {
			return err
		}
		hook.EventTypes, hook.AllEvents = types, all
	}
	return nil
}

func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := decodeEmptyBody(w, r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if !ids.Valid(ids.WebhookPrefix, id) {
		return errWebhookNotFound
	}
	switch err := s.d.Webhooks.Delete(r.Context(), p.OrgID, id); {
	case errors.Is(err, webhook.ErrSlotNotReleased):
		// Deleted, but the org's count kept the slot: operators see it,
		// the tenant's delete succeeded and the secret goes below.
		s.d.Logger.LogAttrs(r.Context(), slog.LevelError, "webhook deleted without releasing its slot",
			slog.String("org_id", p.OrgID), slog.String("webhook_id", id), slog.String("error", err.Error()))
	case errors.Is(err, webhook.ErrNotFound):
		// Gone already: perhaps by an earlier attempt of this delete whose
		// secret deletion failed. Retrying that deletion here is what makes
		// the retry finish the job; with no secret left it is a plain 404.
		// (Secrets are keyed by org too: another org's id finds nothing.)
		if err := s.d.Secrets.ScheduleDeletion(r.Context(), p.OrgID, id); err != nil {
			return err // secrets.ErrNotFound is the 404
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case err != nil:
		return err
	}
	// The webhook is gone. If its secret cannot be scheduled for deletion
	// now, the delete fails (5xx) so the client retries, and the retry
	// takes the branch above.
	if err := s.d.Secrets.ScheduleDeletion(context.WithoutCancel(r.Context()), p.OrgID, id); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return fmt.Errorf("webhook deleted, its secret not yet (a retried delete finishes it): %w", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
