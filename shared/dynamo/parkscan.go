package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A parked scan's resume position: where ParkedStore.Since, stopped by its
// read bound, found nothing to keep before. The next call for the same
// webhook and since starts there instead of reading the same deliveries
// parked before since again (they stay parked, and would stop every call
// at the same place). pk PARKSCAN#<org>#<webhook_id>, sk PARKSCAN#<since>:
// one per since, so runs with different since values (two tabs, a tenant
// and a script) never move each other's position back.
//
// A call opens the position before it reads and moves or deletes it after,
// each on condition that it still holds what the call started from. Park
// moves back every open position past the delivery it parks
// (pullPositions). So a delivery parked behind a scan while a run goes on
// (one that read the endpoint as disabled just before the recover enabled
// it) is read by a later call of that run: the run does not end without it.
const (
	// ParkScanKeyPrefix starts the positions' partition keys, the only
	// items deliver queries (permissions.go).
	ParkScanKeyPrefix = "PARKSCAN#"
	// parkScanTTL is how long a position serves the calls of one recover
	// run after its last call (a "more" answer is followed at once).
	parkScanTTL = time.Hour
)

type parkScanItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Since     string `dynamodbav:"since"`
	From      string `dynamodbav:"from"` // a parked sort key
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func parkScanPK(orgID, webhookID string) string { return ParkScanKeyPrefix + orgID + "#" + webhookID }

func parkScanSK(since string) string { return ParkScanKeyPrefix + since }

func parkScanKey(orgID, webhookID, since string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: sAttr(parkScanPK(orgID, webhookID)), AttrSK: sAttr(parkScanSK(since))}
}

// resumeFrom is the sort key a scan for since may start at, "" when no
// live position was left for that since.
func (s *ParkedStore) resumeFrom(ctx context.Context, orgID, webhookID, since string) (string, error) {
	from, err := positionFrom(ctx, s.db, s.table, parkScanKey(orgID, webhookID, since), s.Now())
	if err != nil {
		return "", fmt.Errorf("parked scan position: %w", err)
	}
	return from, nil
}

// positionFrom reads the from of a scan position (a parked scan's, the
// dead letters' open-from), "" when absent or past its expires_at.
func positionFrom(ctx context.Context, db *dynamodb.Client, table string, key map[string]types.AttributeValue, now time.Time) (string, error) {
	res, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	var it struct {
		From      string `dynamodbav:"from"`
		ExpiresAt int64  `dynamodbav:"expires_at"`
	}
	if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
		return "", fmt.Errorf("decode: %w", err)
	}
	if it.ExpiresAt <= now.Unix() {
		return "", nil
	}
	return it.From, nil
}

// openAt records from as since's position before a call reads from it.
func (s *ParkedStore) openAt(ctx context.Context, orgID, webhookID, since, from string) error {
	item, err := attributevalue.MarshalMap(parkScanItem{
		PK: parkScanPK(orgID, webhookID), SK: parkScanSK(since), Since: since, From: from, ExpiresAt: s.Now().Add(parkScanTTL).Unix(),
	})
	if err == nil {
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	}
	if err != nil {
		return fmt.Errorf("record parked scan position: %w", err)
	}
	return nil
}

// closeAt deletes since's position once a call read to the end, or (to
// != "") moves it to where the next call starts (to == opened keeps it)
// for another parkScanTTL, in either case only if it is still opened,
// where the call started. Otherwise Park moved it back meanwhile: it
// stays, and closeAt reports moved (the run is not done).
func (s *ParkedStore) closeAt(ctx context.Context, orgID, webhookID, since, opened, to string) (moved bool, err error) {
	cond := aws.String("#from = :opened")
	names := map[string]string{"#from": "from"}
	if to == "" {
		_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.table), Key: parkScanKey(orgID, webhookID, since), ConditionExpression: cond,
			ExpressionAttributeNames: names, ExpressionAttributeValues: map[string]types.AttributeValue{":opened": sAttr(opened)},
		})
	} else {
		// The hour counts from this call: a run whose calls go on for
		// longer must not start over (and read again what it went past).
		names["#exp"] = AttrTTL
		_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.table), Key: parkScanKey(orgID, webhookID, since), ConditionExpression: cond,
			UpdateExpression: aws.String("SET #from = :to, #exp = :exp"), ExpressionAttributeNames: names,
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":opened": sAttr(opened), ":to": sAttr(to), ":exp": nAttr(s.Now().Add(parkScanTTL).Unix()),
			},
		})
	}
	if isConditionFailed(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("move parked scan position: %w", err)
	}
	return false, nil
}

// pullPositions moves back, to sk, every open position of the webhook
// that a delivery parked at parkedAt belongs to (since at or before it)
// and that lies past sk. It reads every page: positions of runs left
// unfinished (one per since) stay until their hour ends, and one past the
// first 1 MB must move back too. The filter leaves the positions that
// need no move (expired, or not past sk) on the server.
func (s *ParkedStore) pullPositions(ctx context.Context, orgID, webhookID, sk, parkedAt string) error {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("#pk = :pk AND #sk <= :upto"),
		FilterExpression:       aws.String("#from > :sk AND #exp > :now"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#sk": AttrSK, "#from": "from", "#exp": AttrTTL,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sAttr(parkScanPK(orgID, webhookID)), ":upto": sAttr(parkScanSK(parkedAt)),
			":sk": sAttr(sk), ":now": nAttr(s.Now().Unix()),
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("read parked scan positions: %w", err)
		}
		for _, av := range res.Items {
			var it parkScanItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return fmt.Errorf("decode parked scan position: %w", err)
			}
			_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(s.table), Key: parkScanKey(orgID, webhookID, it.Since),
				ConditionExpression: aws.String("#from > :sk"), UpdateExpression: aws.String("SET #from = :sk"),
				ExpressionAttributeNames:  map[string]string{"#from": "from"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":sk": sAttr(sk)},
			})
			if err != nil && !isConditionFailed(err) {
				return fmt.Errorf("move parked scan position back: %w", err)
			}
		}
	}
	return nil
}
