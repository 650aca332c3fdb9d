package api

import (
	"net/http"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/ids"
)

// Every delivery route first loads the webhook through the caller's org,
// so another org's webhook id is a 404 before any delivery code runs.

func (s *server) listDeliveries(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	hook, err := s.webhookFromPath(r, p)
	if err != nil {
		return err
	}
	limit, cursor, err := pageParams(r)
	if err != nil {
		return err
	}
	attempts, next, err := s.d.Attempts.List(r.Context(), p.OrgID, hook.ID, limit, cursor)
	if err != nil {
		return err
	}
	if attempts == nil {
		attempts = []deliverylog.Attempt{}
	}
	writeJSON(w, http.StatusOK, listJSON[deliverylog.Attempt]{Data: attempts, NextCursor: next})
	return nil
}

func (s *server) resendDelivery(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := decodeEmptyBody(w, r); err != nil {
		return err
	}
	hook, err := s.webhookFromPath(r, p)
	if err != nil {
		return err
	}
	deliveryID := r.PathValue("delivery_id")
	if !ids.Valid(ids.DeliveryPrefix, deliveryID) {
		return deliverylog.ErrNotFound
	}
	if err := s.d.Deliveries.Resend(r.Context(), hook, deliveryID); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, deliveryJSON{DeliveryID: deliveryID})
	return nil
}

type deliveryJSON struct {
	DeliveryID string `json:"delivery_id"`
}

func (s *server) sendTest(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := decodeEmptyBody(w, r); err != nil {
		return err
	}
	hook, err := s.webhookFromPath(r, p)
	if err != nil {
		return err
	}
	deliveryID, err := s.d.Deliveries.SendTest(r.Context(), hook)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, deliveryJSON{DeliveryID: deliveryID})
	return nil
}
