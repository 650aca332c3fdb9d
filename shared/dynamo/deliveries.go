package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
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
// attempt (config.AttemptTTL: a resend works as long as the log shows it).
func NewDeliveryStore(db *dynamodb.Client, table string, ttl time.Duration) *DeliveryStore {
	return &DeliveryStore{db: db, table: table, ttl: ttl, Now: time.Now}
}

const deliverySK = "DLV"

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
	ExpiresAt      int64     `dynamodbav:"expires_at"`
}

func (it deliveryItem) record(id string) deliverylog.DeliveryRecord {
	return deliverylog.DeliveryRecord{
		DeliveryID: id, OrgID: it.OrgID, WebhookID: it.WebhookID, EventID: it.EventID, EventName: it.EventName,
		Message: it.Message, Attempts: it.Attempts, FirstAttemptAt: it.FirstAttemptAt, LastAttemptAt: it.LastAttemptAt,
		Status: it.Status, LastStatusCode: it.LastStatusCode,
	}
}

func deliveryKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: "DLV#" + id},
		AttrSK: &types.AttributeValueMemberS{Value: deliverySK},
	}
}

// BeginAttempt counts an attempt before it is made (so a crash mid-POST
// still counts and retries stay bounded) and returns the record with the
// new count. One UpdateItem: ADD is atomic under concurrent receives, and
// first_attempt_at is set only by the first.
func (s *DeliveryStore) BeginAttempt(ctx context.Context, d message.Delivery, body string, now time.Time) (deliverylog.DeliveryRecord, error) {
	nowAV, err := attributevalue.Marshal(now.UTC())
	if err != nil {
		return deliverylog.DeliveryRecord{}, err
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table),
		Key:       deliveryKey(d.DeliveryID),
		UpdateExpression: aws.String("SET #org = :org, #wh = :wh, #evt = :evt, #name = :name, #msg = :msg, " +
			"#first = if_not_exists(#first, :now), #last = :now, #st = :st, #exp = :exp ADD #n :one"),
		ExpressionAttributeNames: map[string]string{
			"#org": "organization_id", "#wh": "webhook_id", "#evt": "event_id", "#name": "event_name", "#msg": "message",
			"#first": "first_attempt_at", "#last": "last_attempt_at", "#st": "status", "#exp": AttrTTL, "#n": "attempts",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":org": sAttr(d.OrgID), ":wh": sAttr(d.WebhookID), ":evt": sAttr(d.EventID), ":name": sAttr(d.EventName),
			":msg": sAttr(body), ":now": nowAV, ":st": sAttr(deliverylog.StatusInFlight),
			":exp": nAttr(now.Add(s.ttl).Unix()), ":one": nAttr(1),
		},
		// UPDATED_NEW returns every attribute the expression names, which is
		// all of them but the key.
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return deliverylog.DeliveryRecord{}, fmt.Errorf("delivery %s: begin attempt: %w", d.DeliveryID, err)
	}
	var it deliveryItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return deliverylog.DeliveryRecord{}, err
	}
	return it.record(d.DeliveryID), nil
}

// Finish records a final outcome (delivered, dead-lettered, removed,
// skipped) and the last HTTP status.
func (s *DeliveryStore) Finish(ctx context.Context, deliveryID, status string, statusCode int) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       deliveryKey(deliveryID),
		UpdateExpression:          aws.String("SET #st = :st, #code = :code"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#st": "status", "#code": "last_status_code", "#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":st": sAttr(status), ":code": nAttr(int64(statusCode))},
	})
	return deliveryErr(deliveryID, "finish", err)
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
// is 1 again and gets the whole retry schedule.
func (s *DeliveryStore) ResetAttempts(ctx context.Context, deliveryID string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       deliveryKey(deliveryID),
		UpdateExpression:          aws.String("SET #n = :zero, #st = :st REMOVE #first"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#n": "attempts", "#st": "status", "#first": "first_attempt_at", "#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": nAttr(0), ":st": sAttr(deliverylog.StatusInFlight)},
	})
	return deliveryErr(deliveryID, "reset", err)
}

func deliveryErr(id, op string, err error) error {
	var cond *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &cond):
		return fmt.Errorf("delivery %s: %w", id, deliverylog.ErrNotFound)
	default:
		return fmt.Errorf("delivery %s: %s: %w", id, op, err)
	}
}

func sAttr(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func nAttr(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
