package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// parkedFromPages bounds ParkedFrom's read: expired items that the TTL
// has not removed yet lie before the live ones.
const parkedFromPages = 4

// ParkedFrom is a time at or before which every delivery still parked
// for the webhook was parked (the send time of the oldest live one:
// none is parked before it is sent), and whether any remains. It reads
// in key order from the earliest send a live item can have; past its
// read bound with nothing live found it answers that bound's start,
// which a recover reaches all from.
func (s *ParkedStore) ParkedFrom(ctx context.Context, orgID, webhookID string) (time.Time, bool, error) {
	now := s.Now()
	earliest := now.Add(-s.ttl - parkLead) // sent earlier: parked over ttl ago
	var start map[string]types.AttributeValue
	for range parkedFromPages {
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :from"),
			FilterExpression:          aws.String("#exp > :now"),
			ProjectionExpression:      aws.String("#sk"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK, "#exp": AttrTTL},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAttr(parkedPK(orgID, webhookID)), ":from": sAttr(sortableTime(earliest)), ":now": nAttr(now.Unix())},
			ExclusiveStartKey:         start,
			Limit:                     aws.Int32(100),
		})
		if err != nil {
			return time.Time{}, false, fmt.Errorf("read parked deliveries: %w", err)
		}
		if len(res.Items) > 0 {
			sk, _ := res.Items[0][AttrSK].(*types.AttributeValueMemberS)
			if sk == nil {
				return time.Time{}, false, fmt.Errorf("parked delivery without a sort key")
			}
			stamp, _, _ := strings.Cut(sk.Value, "#")
			sent, err := time.Parse(time.RFC3339Nano, stamp)
			if err != nil {
				return time.Time{}, false, fmt.Errorf("parked delivery %s: %w", sk.Value, err)
			}
			return sent, true, nil
		}
		if res.LastEvaluatedKey == nil {
			return time.Time{}, false, nil
		}
		start = res.LastEvaluatedKey
	}
	return earliest, true, nil
}
