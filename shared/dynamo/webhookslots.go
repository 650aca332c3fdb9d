package dynamo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// The org's cap is kept on one item (ORG#<org>, COUNT) without
// transactions (dynalite has none): a create reserves a slot there before
// it writes the webhook, a delete gives the slot back after. The SDK sends
// a write again when its answer was lost; so that the second send does not
// count again, the item names its latest change (lastSlotChangeAttr: "+"
// or "-" and the webhook's id), and a change that is already the latest
// is refused. Only another change of the same org's slots between the two
// sends, milliseconds apart, lets the second count.
const (
	counterAttr        = "webhook_count"
	lastSlotChangeAttr = "last_slot_change"
)

func counterKey(orgID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: orgPK(orgID)},
		AttrSK: &types.AttributeValueMemberS{Value: counterSK},
	}
}

// CheckLimit reads the org's counter (consistently: a slot a delete has
// just given back is free) and answers webhook.ErrLimitReached when
// reserveSlot would refuse.
func (s *WebhookStore) CheckLimit(ctx context.Context, orgID string, maxPerOrg int) error {
	out, err := s.readCounter(ctx, orgID)
	if err != nil {
		return err
	}
	if n, ok := out[counterAttr].(*types.AttributeValueMemberN); ok {
		if count, err := strconv.Atoi(n.Value); err == nil && count >= maxPerOrg {
			return webhook.ErrLimitReached
		}
	}
	return nil
}

func (s *WebhookStore) readCounter(ctx context.Context, orgID string) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: counterKey(orgID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read webhook count: %w", err)
	}
	return out.Item, nil
}

// reserveSlot raises the org's count for webhook id while it is below the
// cap. added is false when the reservation was found made already (the
// first send of this one, whose answer was lost).
func (s *WebhookStore) reserveSlot(ctx context.Context, orgID, id string, maxPerOrg int) (added bool, err error) {
	change := "+" + id
	err = s.changeSlots(ctx, orgID, change, "(attribute_not_exists(#n) OR #n < :limit)", maxPerOrg)
	if !isConditionFailed(err) {
		if err != nil {
			return false, fmt.Errorf("reserve webhook slot: %w", err)
		}
		return true, nil
	}
	counter, err := s.readCounter(ctx, orgID)
	if err != nil {
		return false, err
	}
	if last, _ := counter[lastSlotChangeAttr].(*types.AttributeValueMemberS); last != nil && last.Value == change {
		return false, nil
	}
	return false, webhook.ErrLimitReached
}

// releaseSlot lowers the org's count for webhook id, never below zero,
// and not again for a release already made.
func (s *WebhookStore) releaseSlot(ctx context.Context, orgID, id string) error {
	err := s.changeSlots(ctx, orgID, "-"+id, "#n > :limit", 0)
	if isConditionFailed(err) {
		return nil // zero, or released already: nothing to give back
	}
	return err
}

// changeSlots adds one slot ("+" change) or removes one ("-") while the
// count meets bound against limit and change is not the latest change.
func (s *WebhookStore) changeSlots(ctx context.Context, orgID, change, bound string, limit int) error {
	by := "1"
	if change[0] == '-' {
		by = "-1"
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 counterKey(orgID),
		UpdateExpression:    aws.String("ADD #n :by SET #last = :change"),
		ConditionExpression: aws.String(bound + " AND (attribute_not_exists(#last) OR #last <> :change)"),
		ExpressionAttributeNames: map[string]string{
			"#n": counterAttr, "#last": lastSlotChangeAttr,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":by":     &types.AttributeValueMemberN{Value: by},
			":change": &types.AttributeValueMemberS{Value: change},
			":limit":  &types.AttributeValueMemberN{Value: strconv.Itoa(limit)},
		},
	})
	return err
}
