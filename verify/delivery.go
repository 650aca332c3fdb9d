package verify

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// ErrNoEventID means a request verified but its body has no event id
// (a string "id" at the top level of the JSON envelope), so there is no
// signed value to deduplicate on.
var ErrNoEventID = errors.New("verify: signed body has no event id")

// Delivery is what a verified request authenticates: the values a
// receiver may deduplicate on. X-<Prefix>-Delivery is not among them: no
// signature covers that header, so a delivery replayed within the
// tolerance under another value there would pass for a new one.
type Delivery struct {
	// EventID is the envelope's "id", inside the body every signature
	// covers. One endpoint receives an event once, under one delivery id,
	// and retries, resends and redrives repeat it: deduplicate on it.
	EventID string
	// DeliveryID is webhook-id when the Standard Webhooks signature (which
	// covers it) was verified, else "". With RequireStandardWebhooks it is
	// never "".
	DeliveryID string
}

// VerifyDelivery is Verify that also returns the signed ids to deduplicate on.
func VerifyDelivery(secret string, headers http.Header, body []byte, prefix string, now time.Time) (Delivery, error) {
	return Verifier{Secrets: []string{secret}, Prefix: prefix}.VerifyDelivery(headers, body, now)
}

// VerifyDelivery is Verify that also returns the signed ids to deduplicate on.
func (v Verifier) VerifyDelivery(headers http.Header, body []byte, now time.Time) (Delivery, error) {
	standard, err := v.check(headers, body, now)
	if err != nil {
		return Delivery{}, err
	}
	var envelope struct {
		ID *string `json:"id"`
	}
	if json.Unmarshal(body, &envelope) != nil || envelope.ID == nil || *envelope.ID == "" {
		return Delivery{}, ErrNoEventID
	}
	d := Delivery{EventID: *envelope.ID}
	if standard {
		d.DeliveryID = headers.Get(HeaderWebhookID)
	}
	return d, nil
}
