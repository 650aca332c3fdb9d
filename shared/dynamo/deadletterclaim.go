package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// Claim marks r as being sent back for d, unless it is closed, past its
// TTL, gone, or another caller's claim stands: one conditional write, as
// ParkedStore.Claim. A refused claim reads the item, consistently, to tell
// the caller why: closed (only delete its DLQ copy), held (leave it to the
// holder), or no item to claim (send it, as a letter without an item).
func (x *DeadLetterIndex) Claim(ctx context.Context, r deliverylog.Ref, d time.Duration) (deliverylog.Claim, error) {
	now := x.Now()
	names := map[string]string{"#pk": AttrPK, "#ttl": AttrTTL, "#by": "closed_by"}
	values := map[string]types.AttributeValue{":nows": nAttr(now.Unix()), ":until": nAttr(now.Add(d).UnixMilli())}
	_, err := x.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(x.table), Key: deadLetterKey(r),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND #ttl > :nows AND attribute_not_exists(#by) AND " + claimFree(now, names, values)),
		UpdateExpression:          aws.String("SET #claim = :until"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	switch {
	case err == nil:
		return deliverylog.Claimed, nil
	case !isConditionFailed(err):
		return 0, fmt.Errorf("claim dead letter %s: %w", r.ID, err)
	}
	return x.refused(ctx, r, now)
}

// refused tells why a claim of r was refused at now.
func (x *DeadLetterIndex) refused(ctx context.Context, r deliverylog.Ref, now time.Time) (deliverylog.Claim, error) {
	out, err := x.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(x.table), Key: deadLetterKey(r), ConsistentRead: aws.Bool(true),
		ProjectionExpression:     aws.String("#by, #ttl"),
		ExpressionAttributeNames: map[string]string{"#by": "closed_by", "#ttl": AttrTTL},
	})
	if err != nil {
		return 0, fmt.Errorf("dead letter %s: %w", r.ID, err)
	}
	var it deadLetterItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return 0, fmt.Errorf("decode dead letter %s: %w", r.ID, err)
	}
	switch {
	case out.Item == nil || it.ExpiresAt <= now.Unix():
		// As State: an item past its TTL is none, and never makes a
		// letter be skipped.
		return deliverylog.ClaimNoItem, nil
	case it.ClosedBy != "":
		return deliverylog.ClaimClosed, nil
	}
	return deliverylog.ClaimHeld, nil
}

// Release ends r's claim, if the item is still there.
func (x *DeadLetterIndex) Release(ctx context.Context, r deliverylog.Ref) error {
	_, err := x.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(x.table), Key: deadLetterKey(r),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		UpdateExpression:         aws.String("REMOVE #claim"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#claim": attrClaim},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release dead letter %s: %w", r.ID, err)
	}
	return nil
}
