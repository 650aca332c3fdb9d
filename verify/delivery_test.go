package verify_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/signing"
	"github.com/hookrelay/hookrelay/verify"
)

// The documented vectors authenticate the envelope's event id, and the
// delivery id through the Standard Webhooks signature.
func TestVerifyDeliveryReturnsTheSignedIDs(t *testing.T) {
	now := signedAt.Add(90 * time.Second)
	want := verify.Delivery{EventID: "evt_01hzy3k7q8m9v0w1x2y3z4a5b6", DeliveryID: deliveryID}
	for _, secret := range []string{secretNew, secretOld} {
		got, err := verify.VerifyDelivery(secret, vectorHeaders(), []byte(body), verify.DefaultPrefix, now)
		if err != nil || got != want {
			t.Errorf("VerifyDelivery with one secret of the vectors = %+v, %v; want %+v", got, err, want)
		}
	}
	// Signed by hookrelay's own signer, under another brand.
	got, err := verify.Verifier{Secrets: []string{secretNew}, Prefix: "Acme", RequireStandardWebhooks: true}.
		VerifyDelivery(signed(t, "Acme", secretNew), []byte(body), now)
	if err != nil || got != want {
		t.Errorf("VerifyDelivery of a real delivery = %+v, %v; want %+v", got, err, want)
	}
}

// The review's replay: someone who saw a delivery re-POSTs it within the
// tolerance with X-Hookrelay-Delivery changed and the webhook-* headers
// dropped. Its Stripe-style signature still verifies, but VerifyDelivery
// reports the original event id and no delivery id, so a receiver that
// deduplicates on what it returns drops the replay; a Verifier requiring
// the Standard Webhooks family refuses it; a changed webhook-id fails that
// family's signature.
func TestReplayUnderANewDeliveryIDIsNotANewDelivery(t *testing.T) {
	now := signedAt.Add(2 * time.Minute)
	original := vectorHeaders()
	original.Set("X-Hookrelay-Delivery", deliveryID)
	first, err := verify.VerifyDelivery(secretNew, original, []byte(body), verify.DefaultPrefix, now)
	if err != nil {
		t.Fatal(err)
	}

	replay := original.Clone()
	replay.Set("X-Hookrelay-Delivery", "dlv_bbbb")
	for _, h := range []string{"webhook-id", "webhook-timestamp", "webhook-signature"} {
		replay.Del(h)
	}
	if err := verify.Verify(secretNew, replay, []byte(body), verify.DefaultPrefix, now); err != nil {
		t.Fatalf("the replay's Stripe-style signature no longer verifies (%v): the test does not replay", err)
	}
	again, err := verify.VerifyDelivery(secretNew, replay, []byte(body), verify.DefaultPrefix, now)
	if err != nil {
		t.Fatal(err)
	}
	if again.EventID != first.EventID {
		t.Errorf("replay's event id %q, the original's %q: a receiver would process it again", again.EventID, first.EventID)
	}
	if again.DeliveryID != "" {
		t.Errorf("replay reported delivery id %q, which no verified signature covers", again.DeliveryID)
	}

	strict := verify.Verifier{Secrets: []string{secretNew}, RequireStandardWebhooks: true}
	if _, err := strict.VerifyDelivery(replay, []byte(body), now); !errors.Is(err, verify.ErrNoSignature) {
		t.Errorf("RequireStandardWebhooks accepted a request without webhook-signature: %v", err)
	}
	if err := strict.Verify(replay, []byte(body), now); !errors.Is(err, verify.ErrNoSignature) {
		t.Errorf("RequireStandardWebhooks: Verify accepted a request without webhook-signature: %v", err)
	}

	renamed := original.Clone()
	renamed.Set("webhook-id", "dlv_bbbb")
	if _, err := strict.VerifyDelivery(renamed, []byte(body), now); !errors.Is(err, verify.ErrMismatch) {
		t.Errorf("a changed webhook-id: %v, want ErrMismatch", err)
	}
}

// A verified body without a string "id" gives nothing to deduplicate on:
// an error, never an empty id a receiver would store.
func TestVerifyDeliveryNeedsTheEnvelopeID(t *testing.T) {
	now := time.Now()
	for _, b := range []string{`{"event_name":"emailClick"}`, `{"id":""}`, `{"id":7}`, `[1]`, `not json`} {
		h, err := signedBody(b, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := verify.Verify(secretNew, h, []byte(b), verify.DefaultPrefix, now); err != nil {
			t.Fatalf("%s does not verify (%v): the test checks the wrong thing", b, err)
		}
		if d, err := verify.VerifyDelivery(secretNew, h, []byte(b), verify.DefaultPrefix, now); !errors.Is(err, verify.ErrNoEventID) {
			t.Errorf("%s: %+v, %v; want ErrNoEventID", b, d, err)
		}
	}
	// Refused signatures stay refused, before the body is read.
	if _, err := verify.VerifyDelivery(secretNew, http.Header{}, []byte(body), verify.DefaultPrefix, now); !errors.Is(err, verify.ErrNoSignature) {
		t.Errorf("unsigned: %v", err)
	}
}

// signedBody is hookrelay's headers for b, signed with secretNew at at.
func signedBody(b string, at time.Time) (http.Header, error) {
	return signing.Headers(signing.Request{Prefix: verify.DefaultPrefix, EventName: "emailClick", DeliveryID: deliveryID,
		Timestamp: at, Secrets: []string{secretNew}, Body: []byte(b)})
}
