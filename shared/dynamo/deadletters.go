package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// DeadLetterIndex is each webhook's index of its dead letters: pk
// DLQ#<org>#<webhook_id>, sk the dead letter's id (dead-lettered at,
// sortableTime, # delivery id), so one Query lists a webhook's dead
// letters oldest first, and no other tenant's are read.
type DeadLetterIndex struct {
	db    *dynamodb.Client
	table string
	// Now is the clock of the TTL and of readers skipping expired items.
	Now func() time.Time
}

var _ deliverylog.DeadLetterIndex = (*DeadLetterIndex)(nil)

// NewDeadLetterIndex returns the index; items expire config.DeadLetterIndexTTL
// after they were written, later than the DLQ drops the letter.
func NewDeadLetterIndex(db *dynamodb.Client, table string) *DeadLetterIndex {
	return &DeadLetterIndex{db: db, table: table, Now: time.Now}
}

type deadLetterItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	DeliveryID string `dynamodbav:"delivery_id"`
	// Message is the delivery queue body compressed (deflate.go); a closed
	// item has none.
	Message   []byte `dynamodbav:"message,omitempty"`
	ExpiresAt int64  `dynamodbav:"expires_at"`
	ClosedBy  string `dynamodbav:"closed_by,omitempty"`
	ClosedAt  string `dynamodbav:"closed_at,omitempty"`
}

// DeadLetterKeyPrefix starts the dead-letter index's partition keys.
const DeadLetterKeyPrefix = "DLQ#"

func deadLetterPK(orgID, webhookID string) string {
	return DeadLetterKeyPrefix + orgID + "#" + webhookID
}

func deadLetterKey(r deliverylog.Ref) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: sAttr(deadLetterPK(r.OrgID, r.WebhookID)), AttrSK: sAttr(r.ID)}
}

// Add puts the item unless one with its id exists: a write repeated after a
// crash must not reopen a tombstone.
func (x *DeadLetterIndex) Add(ctx context.Context, d deliverylog.DeadLetter) error {
	item, err := attributevalue.MarshalMap(deadLetterItem{
		PK: deadLetterPK(d.OrgID, d.WebhookID), SK: d.ID(), DeliveryID: d.DeliveryID,
		Message: deflate(d.Message), ExpiresAt: x.Now().Add(config.DeadLetterIndexTTL).Unix(),
	})
	if err == nil {
		_, err = x.db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(x.table), Item: item,
			ConditionExpression: aws.String("attribute_not_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
		})
	}
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("index dead letter %s: %w", d.DeliveryID, err)
	}
	return nil
}

// MaxDeadLetterPages bounds what one Open call reads, as MaxParkedPages
// does a recover's read of parked deliveries: at most 8 MB, whatever lies
// in the range (tombstones are a hundred bytes or so).
const MaxDeadLetterPages = 8

// LateDeadLetterWrite bounds how long after the time its sort key holds
// (the start of the last attempt) an index item is written: within that
// deliver invocation, which Lambda ends within 15 min; a minute more for
// clocks apart. The open-from position never passes now less this, so an
// item written after an Open read past its place is never skipped.
const LateDeadLetterWrite = 16 * time.Minute

// Open queries the webhook's items from since, leaving closed ones on the
// server (read, billed, but they do not travel) and skipping expired ones.
// Tombstones stay until their TTL, so each call would read again every
// one since since, and once they fill the read bound no call with that
// since would reach the open items after them: Open starts at since's
// open-from position (deadletterpos.go) and moves it up to its first open
// item (or where its bound stopped it), never past now less
// LateDeadLetterWrite.
func (x *DeadLetterIndex) Open(ctx context.Context, orgID, webhookID string, since time.Time, limit int) ([]deliverylog.DeadLetter, bool, error) {
	now := x.Now()
	from := sortableTime(since.Truncate(time.Second))
	pos, err := x.openFrom(ctx, orgID, webhookID, from, now)
	if err != nil {
		return nil, false, err
	}
	out, more, reached, err := x.open(ctx, orgID, webhookID, max(from, pos), limit, now.Unix())
	if err != nil {
		return nil, false, err
	}
	if next := min(reached, sortableTime(now.Add(-LateDeadLetterWrite))); next > max(from, pos) {
		if err := x.moveOpenFrom(ctx, orgID, webhookID, from, next, now); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}

// open reads the open items from the sort key from on; reached is the key
// before which it found none open: its first open item, where its read
// bound stopped it, or past every key at the end of the partition.
func (x *DeadLetterIndex) open(ctx context.Context, orgID, webhookID, from string, limit int, now int64) (out []deliverylog.DeadLetter, more bool, reached string, err error) {
	var start map[string]types.AttributeValue
	reached = "~" // after every letter's key, which starts with a digit
	for page := 0; ; page++ {
		if page == MaxDeadLetterPages {
			if len(out) == 0 {
				reached = start[AttrSK].(*types.AttributeValueMemberS).Value
			}
			return out, true, reached, nil
		}
		res, err := x.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(x.table),
			KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :from"),
			FilterExpression:          aws.String("attribute_not_exists(#closed)"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK, "#closed": "closed_by"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAttr(deadLetterPK(orgID, webhookID)), ":from": sAttr(from)},
			ExclusiveStartKey:         start,
			ConsistentRead:            aws.Bool(true),
		})
		if err != nil {
			return nil, false, "", fmt.Errorf("list dead letters: %w", err)
		}
		items, err := liveItems(res.Items, now, func(it deadLetterItem) int64 { return it.ExpiresAt })
		if err != nil {
			return nil, false, "", fmt.Errorf("decode dead letter: %w", err)
		}
		for _, it := range items {
			if len(out) == 0 {
				reached = it.SK
			}
			if len(out) == limit {
				return out, true, reached, nil
			}
			d, err := it.deadLetter(orgID, webhookID)
			if err != nil {
				return nil, false, "", err
			}
			out = append(out, d)
		}
		if res.LastEvaluatedKey == nil {
			return out, false, reached, nil
		}
		start = res.LastEvaluatedKey
	}
}

func (it deadLetterItem) deadLetter(orgID, webhookID string) (deliverylog.DeadLetter, error) {
	at, err := time.Parse(time.RFC3339Nano, it.SK[:len(it.SK)-len(it.DeliveryID)-1])
	if err != nil {
		return deliverylog.DeadLetter{}, fmt.Errorf("dead letter %s: %w", it.SK, err)
	}
	body, err := inflate(it.Message)
	if err != nil {
		return deliverylog.DeadLetter{}, fmt.Errorf("dead letter %s: %w", it.SK, err)
	}
	return deliverylog.DeadLetter{OrgID: orgID, WebhookID: webhookID, DeliveryID: it.DeliveryID, At: at, Message: body}, nil
}

// Close sets the tombstone and drops the body, on an item that exists and
// is open: closing one closed already keeps the first tombstone.
func (x *DeadLetterIndex) Close(ctx context.Context, r deliverylog.Ref, by string, at time.Time) error {
	_, err := x.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(x.table),
		Key:                       deadLetterKey(r),
		UpdateExpression:          aws.String("SET #by = :by, #at = :at REMOVE #msg"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND attribute_not_exists(#by)"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#by": "closed_by", "#at": "closed_at", "#msg": "message"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":by": sAttr(by), ":at": sAttr(formatTime(at))},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("close dead letter %s: %w", r.ID, err)
	}
	return nil
}

// State reads the tombstone, consistently: a recover that closed the item
// a moment ago must keep an operator's redrive from sending the letter.
func (x *DeadLetterIndex) State(ctx context.Context, r deliverylog.Ref) (deliverylog.Closed, error) {
	out, err := x.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(x.table), Key: deadLetterKey(r), ConsistentRead: aws.Bool(true),
		ProjectionExpression:     aws.String("#by, #at, #ttl"),
		ExpressionAttributeNames: map[string]string{"#by": "closed_by", "#at": "closed_at", "#ttl": AttrTTL},
	})
	if err != nil {
		return deliverylog.Closed{}, fmt.Errorf("dead letter %s: %w", r.ID, err)
	}
	var it deadLetterItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return deliverylog.Closed{}, fmt.Errorf("decode dead letter %s: %w", r.ID, err)
	}
	if out.Item == nil || it.ClosedBy == "" || it.ExpiresAt <= x.Now().Unix() {
		return deliverylog.Closed{}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, it.ClosedAt)
	if err != nil {
		return deliverylog.Closed{}, fmt.Errorf("dead letter %s: closed_at: %w", r.ID, err)
	}
	return deliverylog.Closed{By: it.ClosedBy, At: at}, nil
}

// liveItems decodes a page of items, leaving out those past their TTL at
// now (Unix seconds): dynalite, and AWS for a while, keep them.
func liveItems[T any](page []map[string]types.AttributeValue, now int64, expiresAt func(T) int64) ([]T, error) {
	out := make([]T, 0, len(page))
	for _, av := range page {
		var it T
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, err
		}
		if expiresAt(it) > now {
			out = append(out, it)
		}
	}
	return out, nil
}
