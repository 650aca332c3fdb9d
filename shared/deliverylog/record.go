package deliverylog

import (
	"errors"
	"time"
)

// DeliveryRecord is the state of a delivery (one event to one webhook)
// that needed a retry, written before each: its count of attempts made is
// where the next attempt continues (a first receive is attempt 1 without
// it). It keeps the queue message so a resend can re-enqueue the exact bytes.
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
	Status         string // StatusInFlight: a record is written only while attempts remain (or a dead letter or removal failed)
	LastStatusCode int
	// LastErrorClass is the last attempt's error class when no status
	// came back (delivery.Class*): a receive beyond the schedule, which
	// finishes that attempt from the record, dead-letters an address the
	// guard refused with its own reason, as the attempt would have.
	LastErrorClass string
	// Resend is the message.Delivery.Resend of the retry schedule the
	// record counts: a message of an earlier one was superseded.
	Resend int
}

// StatusInFlight is a delivery's status between attempts (and after a
// resend reset it).
const StatusInFlight = "in_flight"

// ErrSuperseded means a delivery's message, or the record its attempt
// would save, belongs to a retry schedule a resend replaced (a lower
// Resend than the record's): the resend's schedule goes on, this one ends.
var ErrSuperseded = errors.New("a resend superseded this retry schedule")
