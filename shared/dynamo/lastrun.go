package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The last failure run (webhook.Health.LastFailureRun), kept by the
// recovery that ended it; sortable times, for the conditions.
const (
	attrRunSince    = "last_run_failing_since"
	attrRunEnd      = "last_run_ended_at"
	attrRunFailures = "last_run_failures"
	// A recover from a running run's start or earlier (RecoveredRun):
	// that start, and the failures counted when the recover read the
	// webhook, all of whose dead letters it sent again.
	attrRecoveredSince    = "recovered_failing_since"
	attrRecoveredFailures = "recovered_failures"
)

// notRecovered is true unless a recover sent every failure of the running
// run again (the run started where the recover recorded it did, with no
// failure counted since): such a run is not kept when it ends.
const notRecovered = "(attribute_not_exists(#rs) OR attribute_not_exists(#since) OR #rs <> #since OR #rn < #n)"

// endRun is how RecordRecovery keeps the run it ends, tried in order: a
// run kept already that ended within the DLQ's retention is joined (the
// failures add up), since no recover has sent its dead letters yet and a
// recover from the joined start sends both runs'; with none, or only an
// older one (whose dead letters are gone), the run is kept alone. The
// joined run starts at the earlier of the two starts: a run's start is
// its earliest delivery's first attempt (RecordFailure moves it back), so
// the ending run can have started before the kept one, and a recover from
// the later start would miss its dead letters. Update expressions have no
// min(), hence two join variants. The conditions exclude each other, so a
// recovery writes once except when it joins. All operands read the item
// before the update.
var endRun = []struct{ condition, keep string }{
	{
		// Recovered (README: shown until a recover from its start
		// completes): nothing is kept, a kept run stays as it is.
		condition: "#rs = #since AND #rn >= #n",
	},
	{
		condition: notRecovered + " AND (attribute_not_exists(#runEnd) OR #runEnd < :cutoff)",
		// A run from before failing_since was kept starts at its end.
		keep: "#runSince = if_not_exists(#since, :end), #runEnd = :end, #runN = #n",
	},
	{
		condition: notRecovered + " AND #runEnd >= :cutoff AND #since < #runSince",
		keep:      "#runSince = #since, #runEnd = :end, #runN = #runN + #n",
	},
	{
		condition: notRecovered + " AND #runEnd >= :cutoff AND (attribute_not_exists(#since) OR #since >= #runSince)",
		keep:      "#runEnd = :end, #runN = #runN + #n",
	},
}

// ClearFailureRun drops the last failure run that ended at endedAt (as
// the caller read it) once a recover from since has sent it again: only
// if since is at or before its start. A run joined to it since the read
// ended later and is left for its own recover; a deleted webhook stays
// deleted.
func (s *WebhookStore) ClearFailureRun(ctx context.Context, orgID, id string, endedAt, since time.Time) error {
	return s.clearRun(ctx, orgID, id, "#runEnd = :end AND #runSince >= :since", map[string]types.AttributeValue{
		":end": sAttr(sortableTime(endedAt)), ":since": sAttr(sortableTime(since)),
	})
}

// ClearEndedRun drops the last failure run a success kept after a recover
// from since read the webhook and before it could mark the running run
// (RecoveredRun refused): the run it read, kept alone or joined to the
// kept run it read, all of whose failures it sent again. The bounds are
// what the read shows: the kept run starts at or after since and no later
// than latestStart (the later of the two runs' starts), with at most
// failures (the two runs' counts); a failure counted since the read makes
// more, and that run is left for its own recover.
func (s *WebhookStore) ClearEndedRun(ctx context.Context, orgID, id string, since, latestStart time.Time, failures int) error {
	return s.clearRun(ctx, orgID, id, "#runSince >= :since AND #runSince <= :latest AND #runN <= :n", map[string]types.AttributeValue{
		":since": sAttr(sortableTime(since)), ":latest": sAttr(sortableTime(latestStart)),
		":n": &types.AttributeValueMemberN{Value: strconv.Itoa(failures)},
	})
}

// clearRun removes the last failure run under condition, whose names are
// the run's attributes (#runSince, #runEnd, #runN).
func (s *WebhookStore) clearRun(ctx context.Context, orgID, id, condition string, values map[string]types.AttributeValue) error {
	_, _, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
		Key:                       WebhookKey(orgID, id),
		ConditionExpression:       aws.String(condition),
		UpdateExpression:          aws.String("REMOVE #runSince, #runEnd, #runN"),
		ExpressionAttributeNames:  map[string]string{"#runSince": attrRunSince, "#runEnd": attrRunEnd, "#runN": attrRunFailures},
		ExpressionAttributeValues: values,
	})
	if err != nil {
		return fmt.Errorf("clear last failure run: %w", err)
	}
	return nil
}

// RecoveredRun records, on the running run that started at failingSince
// (as the caller read it), that a recover from its start or earlier sends
// the dead letters of its first failures again: the success that ends it
// then keeps no last failure run for them (endRun). The recover writes it
// before it sends anything, since its first letter's success may end the
// run before the recover answers. A run whose start moved since the read
// (an earlier delivery's failure), or that ended, is left as it is:
// marked is false.
func (s *WebhookStore) RecoveredRun(ctx context.Context, orgID, id string, failingSince time.Time, failures int) (marked bool, err error) {
	_, ok, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
		Key:                       WebhookKey(orgID, id),
		ConditionExpression:       aws.String("#since = :since"),
		UpdateExpression:          aws.String("SET #rs = :since, #rn = :n"),
		ExpressionAttributeNames:  map[string]string{"#since": attrFailingSince, "#rs": attrRecoveredSince, "#rn": attrRecoveredFailures},
		ExpressionAttributeValues: recoveredValues(failingSince, failures),
	})
	if err != nil {
		return false, fmt.Errorf("record recovered run: %w", err)
	}
	return ok, nil
}

// UnmarkRecoveredRun removes RecoveredRun's mark of the run that started
// at failingSince with failures, for a recover that then sent nothing.
// A success that consumed it already kept nothing: it stays so. Another
// recover's identical mark goes too, and the run is kept when it ends,
// which at worst offers a Recover more.
func (s *WebhookStore) UnmarkRecoveredRun(ctx context.Context, orgID, id string, failingSince time.Time, failures int) error {
	_, _, err := s.healthUpdate(ctx, &dynamodb.UpdateItemInput{
		Key:                       WebhookKey(orgID, id),
		ConditionExpression:       aws.String("#rs = :since AND #rn = :n"),
		UpdateExpression:          aws.String("REMOVE #rs, #rn"),
		ExpressionAttributeNames:  map[string]string{"#rs": attrRecoveredSince, "#rn": attrRecoveredFailures},
		ExpressionAttributeValues: recoveredValues(failingSince, failures),
	})
	if err != nil {
		return fmt.Errorf("unmark recovered run: %w", err)
	}
	return nil
}

func recoveredValues(failingSince time.Time, failures int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		":since": sAttr(sortableTime(failingSince)), ":n": &types.AttributeValueMemberN{Value: strconv.Itoa(failures)},
	}
}
