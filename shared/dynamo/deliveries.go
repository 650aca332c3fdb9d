package dynamo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// DeliveryStore keeps delivery records: pk DLV#<delivery_id>, sk DLV.
type DeliveryStore struct {
	db    *dynamodb.Client
	table string
	ttl   time.Duration
	// Now is the clock readers use to treat expired items as absent (tests pin it).
	Now func() time.Time
}

// NewDeliveryStore returns the store; records expire ttl after their last
// attempt (config.AttemptTTL: a resend works as long as the log shows it),
// but never sooner than config.DeliveryRecordMinTTL, so a short attempt
// log does not restart a retry schedule. The last attempt a record counts
// is the last retried one: see recordLife for the attempt after it.
func NewDeliveryStore(db *dynamodb.Client, table string, ttl time.Duration) *DeliveryStore {
	return &DeliveryStore{db: db, table: table, ttl: max(ttl, config.DeliveryRecordMinTTL), Now: time.Now}
}

const deliverySK = "DLV"

// recordLife is how much longer than ttl a record is kept after the
// attempt it counts (saved before a retry): the delivery's final attempt
// (delivered, dead-lettered, removed) comes after that retry's wait, plus
// any deferrals and receives that failed before a POST, and its log entry,
// which keeps no body when a record does, expires ttl after it. The queue
// keeps a message at most config.DeliveryRetention from its send, before
// the first attempt, so the final entry never outlives the record, and a
// resend works as long as the log shows the delivery.
const recordLife = config.DeliveryRetention

type deliveryItem struct {
	OrgID          string    `dynamodbav:"organization_id"`
	WebhookID      string    `dynamodbav:"webhook_id"`
	EventID        string    `dynamodbav:"event_id"`
	EventName      string    `dynamodbav:"event_name"`
	Message        string    `dynamodbav:"message"`
	Attempts       int       `dynamodbav:"attempts"`
	FirstAttemptAt time.Time `dynamodbav:"first_attempt_at"`
	LastAttemptAt  time.Time `dynamodbav:"last_attempt_at"`
	Status         string    `dynamodbav:"status"`
	LastStatusCode int       `dynamodbav:"last_status_code"`
	LastErrorClass string    `dynamodbav:"last_error_class,omitempty"`
	Resend         int       `dynamodbav:"resend,omitempty"`
	ExpiresAt      int64     `dynamodbav:"expires_at"`
}

// attrLastErrorClass is deliveryItem.LastErrorClass's attribute, which a
// save without one removes.
const attrLastErrorClass = "last_error_class"

func (it deliveryItem) record(id string) deliverylog.DeliveryRecord {
	return deliverylog.DeliveryRecord{
		DeliveryID: id, OrgID: it.OrgID, WebhookID: it.WebhookID, EventID: it.EventID, EventName: it.EventName,
		Message: it.Message, Attempts: it.Attempts, FirstAttemptAt: it.FirstAttemptAt, LastAttemptAt: it.LastAttemptAt,
		Status: it.Status, LastStatusCode: it.LastStatusCode, LastErrorClass: it.LastErrorClass, Resend: it.Resend,
	}
}

// DeliveryKeyPrefix starts the delivery records' partition keys.
const DeliveryKeyPrefix = "DLV#"

func deliveryKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: DeliveryKeyPrefix + id},
		AttrSK: &types.AttributeValueMemberS{Value: deliverySK},
	}
}

// Save writes the record after a failed attempt that will be retried:
// the count the next attempt continues from, and the message a resend
// re-enqueues. One UpdateItem that sets every field of the record and
// leaves a resend's standing announcement (Propose) alone: a retry of the
// schedule it replaces, saved between the resend's Propose and its
// Supersede, must not withdraw it, or the old schedule would go on beside
// the resend's. A record of a later resend (still live) is kept:
// deliverylog.ErrSuperseded.
func (s *DeliveryStore) Save(ctx context.Context, rec deliverylog.DeliveryRecord) error {
	fields, err := attributevalue.MarshalMap(deliveryItem{
		OrgID: rec.OrgID, WebhookID: rec.WebhookID, EventID: rec.EventID, EventName: rec.EventName,
		Message: rec.Message, Attempts: rec.Attempts, FirstAttemptAt: rec.FirstAttemptAt.UTC(),
		LastAttemptAt: rec.LastAttemptAt.UTC(), Status: rec.Status, LastStatusCode: rec.LastStatusCode,
		LastErrorClass: rec.LastErrorClass, Resend: rec.Resend, ExpiresAt: rec.LastAttemptAt.Add(s.ttl + recordLife).Unix(),
	})
	if err != nil {
		return err
	}
	update, names, values := setAll(fields)
	var removes []string
	if rec.LastErrorClass == "" {
		// An attempt that got an answer keeps no error class: an earlier
		// attempt's must not decide for it on a receive beyond the schedule.
		removes, names["#class"] = append(removes, "#class"), attrLastErrorClass
	}
	if rec.Resend == 0 {
		// An expired record's resend must not outlive it.
		removes = append(removes, "#resend")
	}
	if len(removes) > 0 {
		update += " REMOVE " + strings.Join(removes, ", ")
	}
	names["#resend"], names["#exp"] = "resend", AttrTTL
	values[":resend"], values[":now"] = nAttr(int64(rec.Resend)), nAttr(s.Now().Unix())
	// A schedule a resend superseded must not carry its count over the
	// resend's (a copy of it attempted unread, on its first receive);
	// an expired record counts nothing any more.
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: deliveryKey(rec.DeliveryID),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_not_exists(#resend) OR #resend <= :resend OR #exp <= :now"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	return deliveryWrite(rec.DeliveryID, "save", err, deliverylog.ErrSuperseded)
}

// setAll is an update expression that sets each of fields (marshalled
// attributes), with its names and values.
func setAll(fields map[string]types.AttributeValue) (string, map[string]string, map[string]types.AttributeValue) {
	keys := slices.Sorted(maps.Keys(fields))
	names := make(map[string]string, len(keys)+2)
	values := make(map[string]types.AttributeValue, len(keys)+2)
	sets := make([]string, len(keys))
	for i, k := range keys {
		names["#f"+strconv.Itoa(i)], values[":f"+strconv.Itoa(i)] = k, fields[k]
		sets[i] = "#f" + strconv.Itoa(i) + " = :f" + strconv.Itoa(i)
	}
	return "SET " + strings.Join(sets, ", "), names, values
}

// Get returns the record; deliverylog.ErrNotFound when absent or expired
// (dynalite, and AWS for up to days, keep expired items).
func (s *DeliveryStore) Get(ctx context.Context, deliveryID string) (deliverylog.DeliveryRecord, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: deliveryKey(deliveryID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return deliverylog.DeliveryRecord{}, fmt.Errorf("delivery %s: get: %w", deliveryID, err)
	}
	var it deliveryItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return deliverylog.DeliveryRecord{}, err
	}
	if out.Item == nil || it.ExpiresAt <= s.Now().Unix() {
		return deliverylog.DeliveryRecord{}, fmt.Errorf("delivery %s: %w", deliveryID, deliverylog.ErrNotFound)
	}
	return it.record(deliveryID), nil
}

// ResetAttempts starts the count over (resend, redrive): the next attempt
// is 1 again and gets the whole retry schedule. The record lives as long
// as a save now would keep it (restartedLife): the copy sent back is a new
// send, whose final attempt may come a retention later.
func (s *DeliveryStore) ResetAttempts(ctx context.Context, deliveryID string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      deliveryKey(deliveryID),
		UpdateExpression:         aws.String("SET #n = :zero, #st = :st, #exp = :exp REMOVE #first"),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#n": "attempts", "#st": "status", "#first": "first_attempt_at", "#pk": AttrPK, "#exp": "expires_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": nAttr(0), ":st": sAttr(deliverylog.StatusInFlight), ":exp": s.restartedLife(),
		},
	})
	return deliveryWrite(deliveryID, "reset", err, deliverylog.ErrNotFound)
}

// attrProposed names the resend a Propose announced and its Supersede has
// not made effective yet.
const attrProposed = "proposed_resend"

// Propose announces the resend-th resend before its message is sent: the
// Supersede after the send takes effect only while the announcement
// stands, and a skip of that message (EndResend) withdraws it, so a
// schedule that ended unPOSTed before the mark can never be marked. A
// record gone is left gone (nothing to supersede).
func (s *DeliveryStore) Propose(ctx context.Context, deliveryID string, resend int) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       deliveryKey(deliveryID),
		UpdateExpression:          aws.String("SET #p = :resend"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#p": attrProposed, "#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":resend": nAttr(int64(resend))},
	})
	return deliveryWrite(deliveryID, "propose", err, nil)
}

// restartedLife is the expires_at of a count started over now (a reset,
// a resend's supersede): as a save now would set it, so a resend works as
// long as the log shows an attempt of the copy sent back.
func (s *DeliveryStore) restartedLife() types.AttributeValue {
	return nAttr(s.Now().Add(s.ttl + recordLife).Unix())
}

// Supersede starts the count over for the schedule of the resend-th
// resend, whose message is already on its way: messages of the earlier
// schedules are dropped from now on. It takes effect only on the
// record's standing announcement of that resend (Propose): a record
// already at that resend (its message was attempted first, and its save
// replaced the record), one whose announcement a skip withdrew, or one
// gone is left as it is.
func (s *DeliveryStore) Supersede(ctx context.Context, deliveryID string, resend int) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              deliveryKey(deliveryID),
		UpdateExpression: aws.String("SET #n = :zero, #st = :st, #resend = :resend, #exp = :exp REMOVE #first, #p"),
		ConditionExpression: aws.String("attribute_exists(#pk) AND #p = :resend AND " +
			"(attribute_not_exists(#resend) OR #resend < :resend)"),
		ExpressionAttributeNames: map[string]string{"#n": "attempts", "#st": "status", "#first": "first_attempt_at", "#pk": AttrPK,
			"#resend": "resend", "#p": attrProposed, "#exp": "expires_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": nAttr(0), ":st": sAttr(deliverylog.StatusInFlight), ":resend": nAttr(int64(resend)), ":exp": s.restartedLife(),
		},
	})
	return deliveryWrite(deliveryID, "supersede", err, nil)
}

// EndResend removes the record's mark of the resend-th resend, whose
// schedule ended with neither a POST nor a dead letter (skipped: the
// webhook disabled, deleted or unsubscribed): a copy of a schedule it
// superseded, sent back later by a recover or a redrive, is then the
// delivery's only one and must run, not be dropped. A record at another
// resend, or gone, is left as it is.
func (s *DeliveryStore) EndResend(ctx context.Context, deliveryID string, resend int) error {
	// First the announcement, so a Supersede still to come cannot mark it.
	if err := s.removeIfResend(ctx, deliveryID, attrProposed, resend); err != nil {
		return err
	}
	return s.removeIfResend(ctx, deliveryID, "resend", resend)
}

// removeIfResend removes the record's attribute while it holds resend.
func (s *DeliveryStore) removeIfResend(ctx context.Context, deliveryID, attr string, resend int) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       deliveryKey(deliveryID),
		UpdateExpression:          aws.String("REMOVE #a"),
		ConditionExpression:       aws.String("#a = :resend"),
		ExpressionAttributeNames:  map[string]string{"#a": attr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":resend": nAttr(int64(resend))},
	})
	return deliveryWrite(deliveryID, "remove "+attr, err, nil)
}

// deliveryWrite is conditionalWrite for a delivery record, naming it:
// refused (nil: no error) when the condition failed.
func deliveryWrite(id, op string, err, refused error) error {
	switch {
	case err == nil, refused == nil && isConditionFailed(err):
		return nil
	case isConditionFailed(err):
		err = refused
	}
	return fmt.Errorf("delivery %s: %s: %w", id, op, err)
}

func sAttr(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func nAttr(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
