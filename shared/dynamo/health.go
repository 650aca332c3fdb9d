package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Health attributes of the webhook item (docs/internals.md).
const (
	attrDisabledReason = "disabled_reason"
	attrDisabledAt     = "disabled_at"
	attrDisabledNotice = "disabled_notice_pending"
	attrFailures       = "consecutive_failures"
	attrFailingSince   = "failing_since"
	attrFirstDeadAt    = "first_dead_letter_at"
	attrLastSuccess    = "last_success_at"
)

var _ webhook.HealthStore = (*WebhookStore)(nil)

// formatOptional leaves a zero time out of the item (omitempty).
func formatOptional(t time.Time, format func(time.Time) string) string {
	if t.IsZero() {
		return ""
	}
	return format(t)
}

func parseOptional(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// healthUpdate runs one conditional UpdateItem on an existing webhook; a
// failed condition is reported as ok=false, a missing webhook included.
func (s *WebhookStore) healthUpdate(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, bool, error) {
	in.TableName = aws.String(s.table)
	out, err := s.db.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// RecordFailure adds one to the run and, if none is running, starts it:
// failing_since at the delivery's first attempt, the auto-disable clock
// (first_dead_letter_at) at its dead letter. A run that began before the
// clock existed gets it at its next failure, so it is disabled no sooner
// than autoDisableAfter from then. A running run whose start is after the
// delivery's first attempt starts at that attempt instead (a second,
// conditional write; an error there comes with the health, the failure
// counted). It returns the health after the writes.
func (s *WebhookStore) RecordFailure(ctx context.Context, orgID, id string, firstAttempt, deadLettered time.Time) (webhook.Health, error) {
	out, ok, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
		Key:                 WebhookKey(orgID, id),
		ConditionExpression: aws.String(webhookExists),
		UpdateExpression:    aws.String("SET #since = if_not_exists(#since, :first), #clock = if_not_exists(#clock, :dead) ADD #n :one"),
		ExpressionAttributeNames: map[string]string{
			"#id": attrID, "#since": attrFailingSince, "#clock": attrFirstDeadAt, "#n": attrFailures,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":first": &types.AttributeValueMemberS{Value: sortableTime(firstAttempt)},
			":dead":  &types.AttributeValueMemberS{Value: sortableTime(deadLettered)},
			":one":   &types.AttributeValueMemberN{Value: "1"},
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	switch {
	case err != nil:
		return webhook.Health{}, fmt.Errorf("record failure: %w", err)
	case !ok:
		return webhook.Health{}, webhook.ErrNotFound
	}
	w, err := decodeWebhook(out.Attributes)
	if err != nil || !w.Health.FailingSince.After(firstAttempt) {
		return w.Health, err
	}
	return s.failingSinceEarlier(ctx, orgID, id, firstAttempt, w.Health)
}

// failingSinceEarlier moves the run's start back to firstAttempt: a
// delivery first attempted before the run's start but counted after it
// (a slow answer, concurrent deliveries) is one of the run, and Recover
// from failing_since must find its dead letter. The condition only moves
// it earlier, and leaves a run a success ended meanwhile ended.
func (s *WebhookStore) failingSinceEarlier(ctx context.Context, orgID, id string, firstAttempt time.Time, h webhook.Health) (webhook.Health, error) {
	at := sortableTime(firstAttempt)
	out, ok, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
		Key:                       WebhookKey(orgID, id),
		ConditionExpression:       aws.String("#since > :at"),
		UpdateExpression:          aws.String("SET #since = :at"),
		ExpressionAttributeNames:  map[string]string{"#since": attrFailingSince},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": &types.AttributeValueMemberS{Value: at}},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil || !ok {
		// The failure is counted; the start stays where it was (or
		// where a concurrent, earlier delivery put it).
		if err != nil {
			err = fmt.Errorf("%w: %w", webhook.ErrRunStartNotMoved, err)
		}
		return h, err
	}
	w, err := decodeWebhook(out.Attributes)
	return w.Health, err
}

// RecordRecovery zeroes a running count, stamps the success and keeps the
// run it ends as the last failure run (lastrun.go); the condition makes it
// a no-op when nothing is running, and at a disabled endpoint: a success
// that lands after the disable (a POST in flight, a container's cached
// copy) must not erase the run whose start Recover begins at; only an
// enable starts the health over (Update). It is one write, the one that
// always ended the run, unless a kept run has to be joined (a second).
func (s *WebhookStore) RecordRecovery(ctx context.Context, orgID, id string, at time.Time) error {
	for _, end := range endRun {
		names := map[string]string{
			"#n": attrFailures, "#last": attrLastSuccess, "#since": attrFailingSince, "#clock": attrFirstDeadAt, "#enabled": "enabled",
			"#rs": attrRecoveredSince, "#rn": attrRecoveredFailures,
		}
		values := map[string]types.AttributeValue{
			":zero": &types.AttributeValueMemberN{Value: "0"}, ":at": &types.AttributeValueMemberS{Value: formatTime(at)},
			":true": &types.AttributeValueMemberBOOL{Value: true},
		}
		// DynamoDB refuses a name or value the expressions do not use.
		for name, attr := range map[string]string{"#runSince": attrRunSince, "#runEnd": attrRunEnd, "#runN": attrRunFailures} {
			if strings.Contains(end.condition+end.keep, name) {
				names[name] = attr
			}
		}
		if strings.Contains(end.condition+end.keep, ":end") {
			values[":end"] = sAttr(sortableTime(at))
		}
		if strings.Contains(end.condition, ":cutoff") {
			values[":cutoff"] = sAttr(sortableTime(at.Add(-config.DLQRetention)))
		}
		set := "SET #n = :zero, #last = :at"
		if end.keep != "" {
			set += ", " + end.keep
		}
		_, ok, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
			Key:                       WebhookKey(orgID, id),
			ConditionExpression:       aws.String("#n > :zero AND #enabled = :true AND " + end.condition),
			UpdateExpression:          aws.String(set + " REMOVE #since, #clock, #rs, #rn"),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		})
		if err != nil {
			return fmt.Errorf("record recovery: %w", err)
		}
		if ok {
			return nil
		}
	}
	return nil
}

// sortableTime is RFC 3339 in UTC with all nine fraction digits: fixed
// width, so string order is time order (failing_since is compared in a
// condition; RFC3339Nano drops trailing zeros, which breaks that order).
func sortableTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") }

// DisableFailing re-checks the threshold in the condition, so a success
// recorded since the caller read the health keeps the webhook enabled,
// and of concurrent callers exactly one disables (and notifies).
func (s *WebhookStore) DisableFailing(ctx context.Context, orgID, id string, at time.Time, t webhook.Threshold) (bool, error) {
	if !t.On() {
		return false, nil
	}
	_, ok, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
		Key:                 WebhookKey(orgID, id),
		ConditionExpression: aws.String("#enabled = :true AND #n >= :min AND #clock <= :cutoff"),
		UpdateExpression:    aws.String("SET #enabled = :false, #reason = :failing, #at = :at, #notice = :true"),
		ExpressionAttributeNames: map[string]string{
			"#enabled": "enabled", "#n": attrFailures, "#clock": attrFirstDeadAt,
			"#reason": attrDisabledReason, "#at": attrDisabledAt, "#notice": attrDisabledNotice,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":true": &types.AttributeValueMemberBOOL{Value: true}, ":false": &types.AttributeValueMemberBOOL{Value: false},
			":min":     &types.AttributeValueMemberN{Value: strconv.Itoa(t.MinFailures)},
			":cutoff":  &types.AttributeValueMemberS{Value: sortableTime(at.Add(-t.After))},
			":failing": &types.AttributeValueMemberS{Value: webhook.DisabledFailing},
			":at":      &types.AttributeValueMemberS{Value: formatTime(at)},
		},
	})
	if err != nil {
		return false, fmt.Errorf("disable failing webhook: %w", err)
	}
	return ok, nil
}

// DisabledNoticeSent removes the pending mark, only from the disable at
// disabledAt: a later disable's mark stays for its own notice.
func (s *WebhookStore) DisabledNoticeSent(ctx context.Context, orgID, id string, disabledAt time.Time) error {
	_, _, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
		Key:                      WebhookKey(orgID, id),
		ConditionExpression:      aws.String("#notice = :true AND #at = :at"),
		UpdateExpression:         aws.String("REMOVE #notice"),
		ExpressionAttributeNames: map[string]string{"#notice": attrDisabledNotice, "#at": attrDisabledAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":true": &types.AttributeValueMemberBOOL{Value: true},
			":at":   &types.AttributeValueMemberS{Value: formatTime(disabledAt)},
		},
	})
	if err != nil {
		return fmt.Errorf("clear pending disabled notice: %w", err)
	}
	return nil
}
