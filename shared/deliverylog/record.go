package deliverylog

import "time"

// DeliveryRecord is the state of one delivery (one event to one webhook)
// across its attempts. Its attempt counter, incremented atomically before
// every POST, is the retry arithmetic's n: SQS's ApproximateReceiveCount
// is approximate on AWS and always 1 on goaws. It keeps the queue message
// so a resend can re-enqueue the exact bytes.
type DeliveryRecord struct {
	DeliveryID     string
	OrgID          string
	WebhookID      string
	EventID        string
	EventName      string
	Message        string // the delivery queue body (message.Delivery v1)
	Attempts       int
	FirstAttemptAt time.Time
	LastAttemptAt  time.Time
	Status         string // StatusInFlight, then a final Outcome*
	LastStatusCode int
}

// StatusInFlight is a delivery's status between attempts (and after a
// resend reset it).
const StatusInFlight = "in_flight"
