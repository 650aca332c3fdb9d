package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// ParkedStore keeps deliveries parked for an endpoint disabled for failing:
// pk PARK#<org>#<webhook_id>, sk <sent at, sortableTime>#<delivery_id>,
// so one Query lists a webhook's parked deliveries oldest first; parked_at
// says when each was parked.
type ParkedStore struct {
	db    *dynamodb.Client
	table string
	ttl   time.Duration
	// Now is the clock readers use to treat expired items as absent.
	Now func() time.Time
}

var _ deliverylog.ParkedStore = (*ParkedStore)(nil)

// NewParkedStore returns the store; items expire ttl after they were
// parked (config.ParkedTTL).
func NewParkedStore(db *dynamodb.Client, table string, ttl time.Duration) *ParkedStore {
	return &ParkedStore{db: db, table: table, ttl: ttl, Now: time.Now}
}

type parkedItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	DeliveryID string `dynamodbav:"delivery_id"`
	Message    string `dynamodbav:"message"`
	ExpiresAt  int64  `dynamodbav:"expires_at"`
	// ParkedAt (sortableTime) is absent on items parked before it was
	// stored: their send time stands in.
	ParkedAt string `dynamodbav:"parked_at,omitempty"`
}

// ParkedKeyPrefix starts the parked deliveries' partition keys.
const ParkedKeyPrefix = "PARK#"

func parkedPK(orgID, webhookID string) string { return ParkedKeyPrefix + orgID + "#" + webhookID }

func parkedSK(at time.Time, deliveryID string) string { return sortableTime(at) + "#" + deliveryID }

func parkedKey(p deliverylog.Parked) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: parkedPK(p.OrgID, p.WebhookID)},
		AttrSK: &types.AttributeValueMemberS{Value: parkedSK(p.SentAt, p.DeliveryID)},
	}
}

// Park writes the item; the same delivery parked again overwrites it.
// Then it moves back any recover run's position past it (parkscan.go), so
// the run reads it. A failure there fails the park, which the delivery's
// next receive repeats.
func (s *ParkedStore) Park(ctx context.Context, p deliverylog.Parked) error {
	sk, parkedAt := parkedSK(p.SentAt, p.DeliveryID), sortableTime(p.ParkedAt)
	item, err := attributevalue.MarshalMap(parkedItem{
		PK: parkedPK(p.OrgID, p.WebhookID), SK: sk,
		DeliveryID: p.DeliveryID, Message: p.Message, ExpiresAt: s.Now().Add(s.ttl).Unix(), ParkedAt: parkedAt,
	})
	if err == nil {
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	}
	if err == nil {
		err = s.pullPositions(ctx, p.OrgID, p.WebhookID, sk, parkedAt)
	}
	if err != nil {
		return fmt.Errorf("park delivery %s: %w", p.DeliveryID, err)
	}
	return nil
}

// parkLead is the longest a delivery can wait between its send and its
// park: a message is received at most its queue's retention after it was
// sent, and the event source may hold it a batching window more.
const parkLead = config.DeliveryRetention + config.MaxBatchWindow

// MaxParkedPages bounds what one Since call reads: DynamoDB ends a Query
// page at 1 MB of items read (before the filter, which is what it bills),
// so at most 8 MB and 2,048 consistent read units per call, whatever the
// bodies, and however many deliveries parked before since (an earlier
// disable's, kept 7 days) lie in the range it must look through.
const MaxParkedPages = 8

// Since queries in key order (send time) from the earliest send a
// delivery parked at since can have, keeping those
// parked at or after since and skipping expired items (dynalite, and AWS
// for a while, keep them). The filter leaves what was parked earlier (an
// earlier disable's) on the server: it is read, but its bodies do not
// travel. more is true when the read bound stopped it before limit: then
// the next call for the same since starts where this one found nothing to
// keep before (parkscan.go), so a run of calls gets through any number of
// deliveries parked before since. It is true too when a delivery was
// parked behind this call meanwhile: the next call reads from there.
func (s *ParkedStore) Since(ctx context.Context, orgID, webhookID string, since time.Time, limit int) (out []deliverylog.Parked, more bool, err error) {
	from := sortableTime(since.Add(-parkLead))
	sinceKey := sortableTime(since)
	resume, err := s.resumeFrom(ctx, orgID, webhookID, sinceKey)
	if err != nil {
		return nil, false, err
	}
	from = max(from, resume)
	opened := resume // the position as stored, which closeAt expects
	if resume == "" {
		if err := s.openAt(ctx, orgID, webhookID, sinceKey, from); err != nil {
			return nil, false, err
		}
		opened = from
	}
	var start map[string]types.AttributeValue
	keptFrom := "" // the sort key of the first delivery kept
	now := s.Now().Unix()
	for page := 0; len(out) < limit; page++ {
		if page == MaxParkedPages {
			_, err := s.closeAt(ctx, orgID, webhookID, sinceKey, opened, resumeAt(from, keptFrom, start))
			return out, true, err
		}
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :from"),
			FilterExpression:          aws.String("attribute_not_exists(#parked) OR #parked >= :since"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK, "#parked": "parked_at"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAttr(parkedPK(orgID, webhookID)), ":from": sAttr(from), ":since": sAttr(sinceKey)},
			ExclusiveStartKey:         start,
			Limit:                     aws.Int32(int32(limit - len(out))),
			ConsistentRead:            aws.Bool(true),
		})
		if err != nil {
			return nil, false, fmt.Errorf("list parked deliveries: %w", err)
		}
		items, err := liveItems(res.Items, now, func(it parkedItem) int64 { return it.ExpiresAt })
		if err != nil {
			return nil, false, fmt.Errorf("decode parked delivery: %w", err)
		}
		for _, it := range items {
			stamp, _, _ := strings.Cut(it.SK, "#")
			sent, err := time.Parse(time.RFC3339Nano, stamp)
			if err != nil {
				return nil, false, fmt.Errorf("parked delivery %s: %w", it.DeliveryID, err)
			}
			parked := sent
			if it.ParkedAt != "" {
				if parked, err = time.Parse(time.RFC3339Nano, it.ParkedAt); err != nil {
					return nil, false, fmt.Errorf("parked delivery %s: %w", it.DeliveryID, err)
				}
			}
			if parked.Before(since) {
				continue
			}
			if keptFrom == "" {
				keptFrom = it.SK
			}
			out = append(out, deliverylog.Parked{OrgID: orgID, WebhookID: webhookID, DeliveryID: it.DeliveryID, SentAt: sent, ParkedAt: parked, Message: it.Message})
		}
		if res.LastEvaluatedKey == nil {
			// Read to the end: a later run with this since starts over, and
			// finds a delivery parked meanwhile wherever its send time is.
			// One parked behind this call meanwhile moved the position
			// back: the next call of this run reads from there.
			moved, err := s.closeAt(ctx, orgID, webhookID, sinceKey, opened, "")
			return out, moved, err
		}
		start = res.LastEvaluatedKey
	}
	// limit reached (the caller says more): the position stays where this
	// call started, or where Park moved it back, for another hour; the next
	// call reads again only what is still parked.
	moved, err := s.closeAt(ctx, orgID, webhookID, sinceKey, opened, opened)
	return out, moved, err
}

// resumeAt is where a call stopped before the end may be resumed: at the
// first delivery it kept (the caller queues and unparks it), or, having
// kept none, at the last item it read (next, the page's LastEvaluatedKey;
// read once more, never skipped). Everything before was read and kept
// nothing. Never before from, where the call started.
func resumeAt(from, keptFrom string, next map[string]types.AttributeValue) string {
	at := keptFrom
	if sk, ok := next[AttrSK].(*types.AttributeValueMemberS); at == "" && ok {
		at = sk.Value
	}
	return max(at, from)
}

// Unpark deletes the item and reports whether it was there (absent
// already is no error: a TTL or a concurrent recover removed it). The
// condition tells the two apart without reading the body back.
func (s *ParkedStore) Unpark(ctx context.Context, p deliverylog.Parked) (bool, error) {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: parkedKey(p),
		ConditionExpression: aws.String("attribute_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
	})
	switch {
	case isConditionFailed(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("unpark delivery %s: %w", p.DeliveryID, err)
	}
	return true, nil
}

// unclaimedPark is the condition that a parked item is there and no
// recover's claim holds it at now, with its names and values.
func unclaimedPark(now time.Time) (string, map[string]string, map[string]types.AttributeValue) {
	names, values := map[string]string{"#pk": AttrPK}, map[string]types.AttributeValue{}
	return "attribute_exists(#pk) AND " + claimFree(now, names, values), names, values
}

// Claim marks p as being queued by one recover for d, unless another
// recover's claim stands or p is gone (unparked): one conditional write,
// as DynamoDB has no transactions here to read and send at once. A claim
// that runs out (its recover stopped before unparking) frees p again.
func (s *ParkedStore) Claim(ctx context.Context, p deliverylog.Parked, d time.Duration) (bool, error) {
	now := s.Now()
	cond, names, values := unclaimedPark(now)
	values[":until"] = nAttr(now.Add(d).UnixMilli())
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: parkedKey(p),
		ConditionExpression:       aws.String(cond),
		UpdateExpression:          aws.String("SET #claim = :until"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	switch {
	case isConditionFailed(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("claim parked delivery %s: %w", p.DeliveryID, err)
	}
	return true, nil
}

// Release ends p's claim (a no-op if p is gone): its recover failed to
// send it, and the retry the tenant makes next must not skip it.
func (s *ParkedStore) Release(ctx context.Context, p deliverylog.Parked) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: parkedKey(p),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		UpdateExpression:         aws.String("REMOVE #claim"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#claim": attrClaim},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release parked delivery %s: %w", p.DeliveryID, err)
	}
	return nil
}
