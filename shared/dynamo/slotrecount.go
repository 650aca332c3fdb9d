package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// recountSlots corrects an org's counter that is higher than its webhooks,
// asked when a create finds the counter at the cap. The counter can only
// drift high (a crash between a create's two writes, or an SDK retry of a
// write whose answer was lost, which finds its work done and gives nothing
// back), and nothing else would ever bring it down: without this, an org
// that had reached its cap once could be refused for good below it.
//
// The correction is conditional on the counter read before the count,
// so a create or delete that moves it meanwhile wins, and the create's
// second reservation decides on what it left. A create between its
// reservation and its item's write is counted by the counter but not by
// the query: a recount at that moment lets the org have one webhook more
// than the cap, never fewer than it.
//
// ErrLimitReached when the counter was right.
func (s *WebhookStore) recountSlots(ctx context.Context, orgID string) error {
	counted, err := s.counter(ctx, orgID)
	if err != nil {
		return err
	}
	stored, err := s.countWebhooks(ctx, orgID)
	if err != nil {
		return err
	}
	if stored >= counted {
		return webhook.ErrLimitReached
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      counterKey(orgID),
		UpdateExpression:         aws.String("SET #n = :stored"),
		ConditionExpression:      aws.String("#n = :counted"),
		ExpressionAttributeNames: map[string]string{"#n": counterAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":stored":  &types.AttributeValueMemberN{Value: strconv.Itoa(stored)},
			":counted": &types.AttributeValueMemberN{Value: strconv.Itoa(counted)},
		},
	})
	// Moved meanwhile: by a create or a delete, which counts right.
	return conditionalWrite(err, nil, "recount webhook slots")
}

// counter reads the org's counter (0 without one).
func (s *WebhookStore) counter(ctx context.Context, orgID string) (int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      counterKey(orgID),
		ProjectionExpression:     aws.String("#n"),
		ExpressionAttributeNames: map[string]string{"#n": counterAttr},
		ConsistentRead:           aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("read webhook counter: %w", err)
	}
	n, ok := out.Item[counterAttr].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	count, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, errors.New("read webhook counter: not a whole number")
	}
	return count, nil
}

// countWebhooks counts the org's webhooks: items with an id, not the
// sealed secrets the envelope store writes on a key before its webhook.
func (s *WebhookStore) countWebhooks(ctx context.Context, orgID string) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :wh)"),
		FilterExpression:       aws.String(webhookExists),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#sk": AttrSK, "#id": attrID,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: orgPK(orgID)},
			":wh": &types.AttributeValueMemberS{Value: webhookPrefix},
		},
		Select:         types.SelectCount,
		ConsistentRead: aws.Bool(true),
	}
	count := 0
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("count webhooks: %w", err)
		}
		count += int(out.Count)
		if out.LastEvaluatedKey == nil {
			return count, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
