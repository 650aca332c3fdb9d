package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Key parts and attributes of producer idempotency items (docs/internals.md).
// The prefix is exported: fan-out's IAM grant is scoped by it (shared/permissions).
const (
	IdempotencyKeyPrefix = "IDEM#"
	idemSK               = "IDEM"
	idemEventAttr        = "event_id"
	idemPendingAttr      = "pending" // present (true) until the publish is confirmed
)

// IdempotencyWindow is how long a producer id stays claimed (design: 24 h).
const IdempotencyWindow = 24 * time.Hour

// IdempotencyStore remembers which event a producer id of an org was
// published as, so the same id is not published twice within the window.
type IdempotencyStore struct {
	db     *dynamodb.Client
	table  string
	Window time.Duration
	Now    func() time.Time // tests move the clock past the window
}

// NewIdempotencyStore returns a store over the hookrelay table.
func NewIdempotencyStore(db *dynamodb.Client, table string) *IdempotencyStore {
	return &IdempotencyStore{db: db, table: table, Window: IdempotencyWindow, Now: time.Now}
}

func idemKey(orgID, producerID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: IdempotencyKeyPrefix + orgID + "#" + producerID},
		AttrSK: &types.AttributeValueMemberS{Value: idemSK},
	}
}

// Claim records eventID as the event of (org, producer id) unless a live
// claim exists, and returns the event id that owns the producer id: eventID
// when this call claimed it, the earlier event's id for a duplicate.
// Fan-out claims events that are already on the bus, so its claims are
// complete from the start. published reports whether the owner's claim is
// confirmed: it is not while the owner is an API publish that failed, timed
// out or was killed (Reserve), and nothing may be on the bus under it.
func (s *IdempotencyStore) Claim(ctx context.Context, orgID, producerID, eventID string) (owner string, published bool, err error) {
	return s.claim(ctx, orgID, producerID, eventID, false)
}

// Reserve is Claim before a publish: the claim stays pending until
// Published confirms it. published reports whether the owner's publish was
// confirmed; when it was not (a failed, timed-out or killed publish), the
// caller publishes again under the owner's event id, so a retry can never
// be answered with an id nothing was published under.
func (s *IdempotencyStore) Reserve(ctx context.Context, orgID, producerID, eventID string) (owner string, published bool, err error) {
	return s.claim(ctx, orgID, producerID, eventID, true)
}

// Published confirms eventID's claim. A claim another event holds (this
// one expired meanwhile) is left alone.
func (s *IdempotencyStore) Published(ctx context.Context, orgID, producerID, eventID string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       idemKey(orgID, producerID),
		UpdateExpression:          aws.String("REMOVE #pending"),
		ConditionExpression:       aws.String("#ev = :ev"),
		ExpressionAttributeNames:  map[string]string{"#ev": idemEventAttr, "#pending": idemPendingAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ev": &types.AttributeValueMemberS{Value: eventID}},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("confirm producer id claim: %w", err)
	}
	return nil
}

// claim is Claim and Reserve. The condition treats an item past expires_at
// as absent because TTL deletion is lazy in DynamoDB (up to days) and
// never happens in dynalite.
func (s *IdempotencyStore) claim(ctx context.Context, orgID, producerID, eventID string, pending bool) (string, bool, error) {
	// A claim that disappears between the failed put and the read (expired
	// and deleted) is claimed again; twice is enough for that race.
	for range 3 {
		now := s.Now()
		item := idemKey(orgID, producerID)
		item[idemEventAttr] = &types.AttributeValueMemberS{Value: eventID}
		item[AttrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(s.Window).Unix(), 10)}
		if pending {
			item[idemPendingAttr] = &types.AttributeValueMemberBOOL{Value: true}
		}
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                aws.String(s.table),
			Item:                     item,
			ConditionExpression:      aws.String("attribute_not_exists(#pk) OR #exp <= :now"),
			ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#exp": AttrTTL},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
			},
		})
		if err == nil {
			return eventID, !pending, nil
		}
		if !isConditionFailed(err) {
			return "", false, fmt.Errorf("claim producer id: %w", err)
		}
		owner, published, err := s.owner(ctx, orgID, producerID)
		if err != nil {
			return "", false, err
		}
		if owner != "" {
			return owner, published, nil
		}
	}
	return "", false, fmt.Errorf("claim producer id %q of %s: claim kept changing", producerID, orgID)
}

// owner reads the event id of a live claim ("" when there is none) and
// whether its publish was confirmed (claims without the pending flag,
// including those written before it existed, are).
func (s *IdempotencyStore) owner(ctx context.Context, orgID, producerID string) (string, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            idemKey(orgID, producerID),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", false, fmt.Errorf("read producer id claim: %w", err)
	}
	ev, _ := out.Item[idemEventAttr].(*types.AttributeValueMemberS)
	exp, _ := out.Item[AttrTTL].(*types.AttributeValueMemberN)
	if ev == nil || exp == nil {
		return "", false, nil
	}
	if sec, err := strconv.ParseInt(exp.Value, 10, 64); err != nil || sec <= s.Now().Unix() {
		return "", false, nil
	}
	pending, _ := out.Item[idemPendingAttr].(*types.AttributeValueMemberBOOL)
	return ev.Value, pending == nil || !pending.Value, nil
}
