// Package permissions lists, per Lambda function, every AWS action it is
// granted and on what. The infra stack builds each role from this list
// alone; a test here derives the actions from the code each function links
// (every SDK operation input it can build), and an infra test checks the
// synthesized policies allow exactly the list. Adding an AWS call without
// listing it, or leaving a grant the code no longer needs, fails a test.
package permissions

import (
	"slices"

	"github.com/hookrelay/hookrelay/shared/dynamo"
)

// Resource names one of the stack's resources; infra maps it to an ARN.
type Resource string

const (
	Table         Resource = "table"
	Bus           Resource = "bus"
	IngestQueue   Resource = "ingest-queue"
	IngestDLQ     Resource = "ingest-dlq"
	DeliveryQueue Resource = "delivery-queue"
	DLQ           Resource = "dlq"
	// Secrets is every webhook signing secret under the configured prefix.
	Secrets Resource = "secrets"
)

// Grant allows Actions on Resource.
type Grant struct {
	Resource Resource
	Actions  []string
	// LeadingKeys, for the table, limits the grant to items whose
	// partition key starts with one of these (dynamodb:LeadingKeys).
	LeadingKeys []string
	// Poller marks the actions Lambda's event source mapping performs
	// with the function's role, not the function's code.
	Poller bool
}

// Function names, as the folders under functions/.
const (
	API     = "api"
	Fanout  = "fanout"
	Deliver = "deliver"
)

// pollerActions are what an SQS event source mapping needs on its queue.
var pollerActions = []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}

// ByFunction is every grant of every function.
var ByFunction = map[string][]Grant{
	// Webhook CRUD with the per-org counter, resend/test records, the
	// attempt log, producer-idempotency claims (and their release); the
	// secrets; publishing; resend/test and DLQ redrive onto the delivery
	// queue; operator DLQ list/inspect/redrive/purge (receive, hold or
	// release by visibility, delete one by one: no PurgeQueue).
	API: {
		{Resource: Table, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"}},
		{Resource: Secrets, Actions: []string{"secretsmanager:CreateSecret", "secretsmanager:TagResource",
			"secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"}},
		{Resource: Bus, Actions: []string{"events:PutEvents"}},
		{Resource: DeliveryQueue, Actions: []string{"sqs:SendMessage"}},
		{Resource: DLQ, Actions: []string{"sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage"}},
	},
	// Subscriptions by org (Query), producer-idempotency claims (a
	// conditional PutItem, then GetItem for the owner) and nothing else on
	// the table; deliveries onto the delivery queue, poison events onto the
	// ingest DLQ.
	Fanout: {
		{Resource: Table, Actions: []string{"dynamodb:Query"}, LeadingKeys: []string{dynamo.OrgKeyPrefix}},
		{Resource: Table, Actions: []string{"dynamodb:PutItem", "dynamodb:GetItem"}, LeadingKeys: []string{dynamo.IdempotencyKeyPrefix}},
		{Resource: DeliveryQueue, Actions: []string{"sqs:SendMessage"}},
		{Resource: IngestDLQ, Actions: []string{"sqs:SendMessage"}},
		{Resource: IngestQueue, Actions: pollerActions, Poller: true},
	},
	// The webhook (GetItem), delivery records (PutItem before a retry,
	// GetItem when a message comes back), the attempt log (PutItem),
	// removal on 410 (DeleteItem, counter UpdateItem); its secrets (read,
	// delete on 410); retries by visibility, dead-lettering (send to the
	// DLQ, then delete); endpoint health on the webhook item and parked
	// deliveries (UpdateItem, PutItem); the webhook.disabled notice (PutEvents).
	Deliver: {
		{Resource: Table, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}},
		{Resource: Secrets, Actions: []string{"secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"}},
		{Resource: DeliveryQueue, Actions: []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage"}},
		{Resource: DLQ, Actions: []string{"sqs:SendMessage"}},
		{Resource: Bus, Actions: []string{"events:PutEvents"}},
		{Resource: DeliveryQueue, Actions: pollerActions, Poller: true},
	},
}

// CodeActions is the set of actions a function's own code calls (the
// grants without Poller), sorted and without repeats.
func CodeActions(function string) []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range ByFunction[function] {
		for _, a := range g.Actions {
			if !g.Poller && !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}
