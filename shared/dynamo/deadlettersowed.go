package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const attrDeadLettersFrom = "dead_letters_from"

// OweDeadLetters records on the webhook that a recover did not read all
// its dead letters from since (webhook.Webhook.DeadLettersFrom), keeping
// the earlier time when one is owed already. A webhook deleted meanwhile
// is left deleted.
func (s *WebhookStore) OweDeadLetters(ctx context.Context, orgID, id string, since time.Time) error {
	return s.deadLettersOwed(ctx, orgID, id, since, "SET #from = :from",
		webhookExists+" AND (attribute_not_exists(#from) OR #from > :from)")
}

// SettleDeadLetters clears the debt of a recover that read every dead
// letter from since, if the debt is from since or later: one from
// earlier is still owed.
func (s *WebhookStore) SettleDeadLetters(ctx context.Context, orgID, id string, since time.Time) error {
	return s.deadLettersOwed(ctx, orgID, id, since, "REMOVE #from", webhookExists+" AND #from >= :from")
}

// deadLettersOwed applies update under condition; a condition that does
// not hold is nothing to do.
func (s *WebhookStore) deadLettersOwed(ctx context.Context, orgID, id string, since time.Time, update, condition string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       WebhookKey(orgID, id),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  map[string]string{"#id": attrID, "#from": attrDeadLettersFrom},
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": sAttr(sortableTime(since))},
	})
	if err != nil && !isConditionFailed(err) {
		return err
	}
	return nil
}
