package dynamo

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// AttemptLog is the attempt log: pk ATT#<org>#<webhook>, sk
// <20-digit unix nanos>#<delivery_id>#<3-digit attempt>, so a reverse
// query lists a webhook's attempts newest first.
type AttemptLog struct {
	db    *dynamodb.Client
	table string
	ttl   time.Duration
	// Now is the clock readers use to treat expired items as absent (tests pin it).
	Now func() time.Time
}

var _ deliverylog.Log = (*AttemptLog)(nil)

// NewAttemptLog returns the log; entries expire ttl after the attempt
// (config.AttemptTTL).
func NewAttemptLog(db *dynamodb.Client, table string, ttl time.Duration) *AttemptLog {
	return &AttemptLog{db: db, table: table, ttl: ttl, Now: time.Now}
}

// MaxAttemptPage bounds one List call.
const MaxAttemptPage = 100

// attemptItem stores the attempt under its JSON field names (the API's
// names), so it is marshalled with TagKey "json" and the key fields too.
type attemptItem struct {
	PK        string `json:"pk"`
	SK        string `json:"sk"`
	ExpiresAt int64  `json:"expires_at"`
	// Message is the delivery queue body, deflated, kept on the entry of a
	// delivery that has no delivery record (it never needed a retry), so a
	// resend finds it; never part of the API's view. Deflated, a catalog
	// event's body is about 60 % of its size, and the entry of a
	// first-attempt success (its delivery's only write) stays within 1 KB.
	Message []byte `json:"message,omitempty"`
	deliverylog.Attempt
}

// AttemptKeyPrefix starts the attempt log's partition keys.
const AttemptKeyPrefix = "ATT#"

func attemptPK(orgID, webhookID string) string { return AttemptKeyPrefix + orgID + "#" + webhookID }

func attemptSK(a deliverylog.Attempt) string {
	return fmt.Sprintf("%020d#%s#%03d", a.At.UnixNano(), a.DeliveryID, a.Attempt)
}

// Append records one attempt; message is the delivery's queue body when no
// delivery record keeps it ("" otherwise).
func (l *AttemptLog) Append(ctx context.Context, a deliverylog.Attempt, message string) error {
	a.At = a.At.UTC()
	var body []byte
	if message != "" {
		body = deflate(message)
	}
	item, err := attributevalue.MarshalMapWithOptions(attemptItem{
		PK: attemptPK(a.OrgID, a.WebhookID), SK: attemptSK(a), ExpiresAt: a.At.Add(l.ttl).Unix(), Message: body, Attempt: a,
	}, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return err
	}
	_, err = l.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(l.table), Item: item})
	if err != nil {
		return fmt.Errorf("append attempt %s#%d: %w", a.DeliveryID, a.Attempt, err)
	}
	return nil
}

// MaxAttemptListPages bounds the Query calls of one List, as MaxParkedPages
// and MaxDeadLetterPages bound the other filtered reads: entries an
// earlier, shorter attemptTtl expired lie inside the key range List reads
// (below) until AWS deletes them, days later, and each page reads
// attemptQueryItems of them at most. A call that reaches the bound
// returns what it found with a cursor past what it read, so a tenant's
// cursor buys at most this much reading per request.
const MaxAttemptListPages = 4

// attemptQueryItems is the Limit of List's queries after its first, fixed
// rather than what the page still lacks: DynamoDB counts it before the
// filter, so a small page in a run of expired entries would otherwise skip
// one or two of them a round trip.
const attemptQueryItems = MaxAttemptPage + 1

// List returns up to limit attempts newest first. It reads only the keys
// of attempts recent enough that an entry written with this log's TTL is
// live (liveFrom), so the expired tail, which dynalite keeps for ever and
// AWS for days, is never read, and a cursor older than that ends the list
// at once. An entry written under a longer attemptTtl and older than the
// current one is left out too: the log shows what the current TTL keeps.
// Within the range the filter still skips entries a shorter attemptTtl
// expired. A page reads one entry past its end so the cursor is empty when
// nothing follows, as WebhookStore.List does; a call stopped by
// MaxAttemptListPages may return fewer than limit entries, none too, with a
// cursor. The cursor is a sort key, opaque to callers and meaningful only
// within this webhook's partition, so it cannot reach another webhook's log.
func (l *AttemptLog) List(ctx context.Context, orgID, webhookID string, limit int, cursor string) ([]deliverylog.Attempt, string, error) {
	if limit <= 0 || limit > MaxAttemptPage {
		limit = MaxAttemptPage
	}
	now := l.Now()
	from := l.liveFrom(now)
	pk := attemptPK(orgID, webhookID)
	var start map[string]types.AttributeValue
	if cursor != "" {
		sk, err := decodeAttemptCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		if sk <= from {
			return nil, "", nil // only expired entries lie past it
		}
		start = map[string]types.AttributeValue{AttrPK: sAttr(pk), AttrSK: sAttr(sk)}
	}
	var out []deliverylog.Attempt
	var sks []string
	// The first query asks for the page and one more, which is all it needs
	// when nothing in its way has expired (a read unit per 4 KB read); only
	// the queries after it skip expired entries attemptQueryItems at a time.
	items := int32(limit + 1)
	for range MaxAttemptListPages {
		res, err := l.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(l.table),
			KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :from"),
			FilterExpression:          aws.String("#exp > :now"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK, "#exp": AttrTTL},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAttr(pk), ":from": sAttr(from), ":now": nAttr(now.Unix())},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(items),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, "", fmt.Errorf("list attempts: %w", err)
		}
		for _, av := range res.Items {
			var it attemptItem
			if err := attributevalue.UnmarshalMapWithOptions(av, &it, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" }); err != nil {
				return nil, "", err
			}
			out = append(out, it.Attempt)
			sks = append(sks, it.SK)
		}
		if len(out) > limit {
			return out[:limit], encodeAttemptCursor(sks[limit-1]), nil
		}
		if res.LastEvaluatedKey == nil {
			return out, "", nil
		}
		start = res.LastEvaluatedKey
		items = attemptQueryItems
	}
	// Past the last entry read, kept or not: the next call reads on from
	// there.
	sk, ok := start[AttrSK].(*types.AttributeValueMemberS)
	if !ok {
		return nil, "", fmt.Errorf("list attempts: a page ended without a sort key")
	}
	return out, encodeAttemptCursor(sk.Value), nil
}

// liveFrom is the smallest sort key of an entry this log writes that is
// live at now: one made at t expires at (t + ttl).Unix(), in whole
// seconds, and is live while that is after now.Unix().
func (l *AttemptLog) liveFrom(now time.Time) string {
	return fmt.Sprintf("%020d", max(time.Unix(now.Unix()+1, 0).Add(-l.ttl).UnixNano(), 0))
}

// MaxMessageSearchPages bounds how much of a webhook's log FindMessage
// reads: a resend is a person's action on a delivery they saw in the log,
// which lists newest first. DynamoDB ends a Query page at 1 MB of items read
// (before the filter, which is what it bills), so the bound is on bytes and
// read units, whatever the entries' bodies: at most 4 MB, 512 eventually
// consistent read units and four round trips per call. That is thousands
// of entries of catalog-sized events, about 20 of the largest: an id
// not found within it is not found, like a made-up one.
const MaxMessageSearchPages = 4

// FindMessage returns the queue body kept on an attempt entry of the
// delivery, searching the webhook's log newest first (deliverylog.ErrNotFound
// when it is not within the newest MaxMessageSearchPages pages).
func (l *AttemptLog) FindMessage(ctx context.Context, orgID, webhookID, deliveryID string) (string, error) {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(l.table),
		KeyConditionExpression:   aws.String("#pk = :pk"),
		FilterExpression:         aws.String("#dlv = :dlv AND attribute_exists(#msg) AND #exp > :now"),
		ProjectionExpression:     aws.String("#msg"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#dlv": "delivery_id", "#msg": "message", "#exp": AttrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sAttr(attemptPK(orgID, webhookID)), ":dlv": sAttr(deliveryID), ":now": nAttr(l.Now().Unix()),
		},
		ScanIndexForward: aws.Bool(false),
	}
	for range MaxMessageSearchPages {
		res, err := l.db.Query(ctx, in)
		if err != nil {
			return "", fmt.Errorf("delivery %s: find message: %w", deliveryID, err)
		}
		for _, item := range res.Items {
			if m, ok := item["message"].(*types.AttributeValueMemberB); ok {
				return inflate(m.Value)
			}
		}
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	return "", fmt.Errorf("delivery %s: %w", deliveryID, deliverylog.ErrNotFound)
}

func encodeAttemptCursor(sk string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sk))
}

// decodeAttemptCursor accepts only what encodeAttemptCursor makes: a sort
// key of attemptSK's shape (20-digit time, delivery id, an attempt number
// of 3 to 10 digits), never an arbitrary key value: one DynamoDB refuses
// (over 1,024 bytes) would fail the query instead of the cursor.
func decodeAttemptCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	sk := string(b)
	parts := strings.Split(sk, "#")
	if err != nil || len(parts) != 3 || !digits(parts[0], 20, 20) || !ids.Valid(ids.DeliveryPrefix, parts[1]) || !digits(parts[2], 3, 10) {
		return "", webhook.ErrInvalidCursor
	}
	return sk, nil
}

// digits reports whether s is lo to hi decimal digits.
func digits(s string, lo, hi int) bool {
	return len(s) >= lo && len(s) <= hi && strings.Trim(s, "0123456789") == ""
}
