package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// TakeBack deletes p for deliver unless a recover's claim on it stands:
// that recover has it in hand and is sending it, so deliver must not send
// it too. A refused delete reads the item once (consistently) to tell a
// claim from a park already gone. An item there without a standing claim
// (released between the two calls) reports a moment's claim, so deliver
// asks again.
func (s *ParkedStore) TakeBack(ctx context.Context, p deliverylog.Parked) (removed bool, claimedFor time.Duration, err error) {
	now := s.Now()
	cond, names, values := unclaimedPark(now)
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: parkedKey(p),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	switch {
	case err == nil:
		return true, 0, nil
	case !isConditionFailed(err):
		return false, 0, fmt.Errorf("take back parked delivery %s: %w", p.DeliveryID, err)
	}
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: parkedKey(p), ConsistentRead: aws.Bool(true),
		// With the key: an item without a claim still comes back.
		ProjectionExpression:     aws.String("#pk, #claim"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#claim": attrClaim},
	})
	if err != nil {
		return false, 0, fmt.Errorf("read claim of parked delivery %s: %w", p.DeliveryID, err)
	}
	if len(res.Item) == 0 {
		return false, 0, nil
	}
	var until int64 // none: released since the delete
	if av := res.Item[attrClaim]; av != nil {
		if err := attributevalue.Unmarshal(av, &until); err != nil {
			return false, 0, fmt.Errorf("decode claim of parked delivery %s: %w", p.DeliveryID, err)
		}
	}
	return false, max(time.UnixMilli(until).Sub(now), time.Millisecond), nil
}
