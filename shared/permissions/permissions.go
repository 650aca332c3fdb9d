// Package permissions lists, per Lambda function, every AWS action it is
// granted and on what. The infra stack builds each role from this list
// alone; a test here derives the actions from the code each function links
// (every SDK operation input it can build), and an infra test checks the
// synthesized policies allow exactly the list. Adding an AWS call without
// listing it, or leaving a grant the code no longer needs, fails a test.
package permissions

import (
	"maps"
	"slices"

	"github.com/hookrelay/hookrelay/catalog/ownevents"
	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/config"
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
	// SecretsKey is the KMS key of the envelope secret store.
	SecretsKey Resource = "secrets-key"
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
	// WebhookContext, on the secrets key, allows the actions only with
	// exactly the encryption context keys {org, webhook} that shared/awskms
	// sends, both present (WebhookContextCondition): the key cannot
	// encrypt or decrypt anything else through these roles.
	WebhookContext bool
	// Puts, on the bus, allows PutEvents only for entries it describes
	// (PutsCondition).
	Puts *Puts
}

// Puts describes the bus entries a PutEvents grant allows: their source,
// and if DetailTypes is not empty, their detail types.
type Puts struct {
	Source      string
	DetailTypes []string
}

// PutsCondition is the IAM condition of a grant with Puts: EventBridge's
// events:source and events:detail-type keys, checked for each entry.
func PutsCondition(p Puts) map[string]any {
	equals := map[string]any{"events:source": p.Source}
	if len(p.DetailTypes) > 0 {
		equals["events:detail-type"] = p.DetailTypes
	}
	return map[string]any{"StringEquals": equals}
}

// WebhookContextCondition is the IAM condition of a WebhookContext grant.
// ForAllValues alone would also match a request with no context at all,
// so the Null checks require both keys.
func WebhookContextCondition() map[string]any {
	return map[string]any{
		"ForAllValues:StringEquals": map[string]any{"kms:EncryptionContextKeys": []any{"org", "webhook"}},
		"Null":                      map[string]any{"kms:EncryptionContext:org": "false", "kms:EncryptionContext:webhook": "false"},
	}
}

// Function names, as the folders under functions/.
const (
	API     = "api"
	Fanout  = "fanout"
	Deliver = "deliver"
)

// pollerActions are what an SQS event source mapping needs on its queue.
var pollerActions = []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}

// Grants is every grant of a function with the given secretStore setting
// (config.SecretStore*): the grants every mode shares, then its store's,
// or while migrating both stores'.
func Grants(function, secretStore string) []Grant {
	target, source := config.SecretStores(secretStore)
	// The bridge rotates only records a store holds (ReplaceRecord), so a
	// move needs nothing beyond both stores' grants: restoring a secret
	// scheduled for deletion is the migrate command's, run by an operator.
	return slices.Concat(shared[function], secretGrants[target][function], secretGrants[source][function])
}

// Functions names every function with grants, sorted.
func Functions() []string { return slices.Sorted(maps.Keys(shared)) }

// SecretStores are the secretStore settings, each with its own grants.
var SecretStores = []string{config.SecretStoreSecretsManager, config.SecretStoreEnvelope,
	config.SecretStoreToEnvelope, config.SecretStoreToSecretsManager}

// secretGrants are what each secret store needs. Secrets Manager: api
// creates, rotates (read, then write), reads and deletes; deliver reads,
// and deletes on 410. Envelope (the secrets live on the table, which the
// shared grants cover): api generates a webhook's data key and decrypts it
// to rotate; deliver only decrypts. Neither touches Secrets Manager then.
var secretGrants = map[string]map[string][]Grant{
	config.SecretStoreSecretsManager: {
		API: {{Resource: Secrets, Actions: []string{"secretsmanager:CreateSecret", "secretsmanager:TagResource",
			"secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"}}},
		Deliver: {{Resource: Secrets, Actions: []string{"secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"}}},
	},
	config.SecretStoreEnvelope: {
		API:     {{Resource: SecretsKey, Actions: []string{"kms:GenerateDataKey", "kms:Decrypt"}, WebhookContext: true}},
		Deliver: {{Resource: SecretsKey, Actions: []string{"kms:Decrypt"}, WebhookContext: true}},
	},
}

// shared are the grants of every function whatever the secret store.
var shared = map[string][]Grant{
	// Webhook CRUD with the per-org counter, resend/test records, the
	// attempt log, producer-idempotency claims (and their release);
	// publishing; resend/test and DLQ redrive onto the delivery
	// queue; operator DLQ list/inspect/redrive/purge (receive, hold or
	// release by visibility, delete one by one: no PurgeQueue).
	API: {
		{Resource: Table, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"}},
		// Every event the API publishes (the catalog's, test sends, the
		// webhook.enabled notice) is under hookrelay's own source.
		{Resource: Bus, Actions: []string{"events:PutEvents"}, Puts: &Puts{Source: bus.DefaultSource}},
		{Resource: DeliveryQueue, Actions: []string{"sqs:SendMessage"}},
		{Resource: DLQ, Actions: []string{"sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage"}},
	},
	// Subscriptions by org (Query), producer-idempotency claims (a
	// conditional PutItem, then GetItem for the owner, UpdateItem to
	// confirm a claim the API left pending) and nothing else on the table;
	// deliveries onto the delivery queue, poison events onto the ingest DLQ,
	// and an event too large for one invocation back onto the ingest queue
	// with its progress (message.AttrResumeAfter).
	Fanout: {
		{Resource: Table, Actions: []string{"dynamodb:Query"}, LeadingKeys: []string{dynamo.OrgKeyPrefix}},
		{Resource: Table, Actions: []string{"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"}, LeadingKeys: []string{dynamo.IdempotencyKeyPrefix}},
		{Resource: DeliveryQueue, Actions: []string{"sqs:SendMessage"}},
		{Resource: IngestDLQ, Actions: []string{"sqs:SendMessage"}},
		{Resource: IngestQueue, Actions: []string{"sqs:SendMessage"}},
		{Resource: IngestQueue, Actions: pollerActions, Poller: true},
	},
	// The webhook (GetItem), delivery records (PutItem before a retry,
	// GetItem when a message comes back, UpdateItem when a resend's
	// message is skipped), the attempt log (PutItem),
	// removal on 410 (DeleteItem, counter UpdateItem); retries by visibility, dead-lettering (send to the
	// DLQ, then delete); endpoint health on the webhook item and parked
	// deliveries (UpdateItem, PutItem; DeleteItem when a park came after
	// the recover that enabled the endpoint), and a park's read of the recover
	// positions it moves back (Query, on those items only); the
	// webhook.disabled notice (PutEvents, only that notice under hookrelay's
	// source: fan-out trusts that source's event ids and notices, so a
	// wider grant would let this role forge any tenant's signed events).
	// Items only of the kinds its code
	// keys (not the portal's sessions, idempotency claims or operator
	// locks): it is the function that talks to tenants' hosts.
	Deliver: {
		{Resource: Table, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, LeadingKeys: []string{
			dynamo.OrgKeyPrefix, dynamo.DeliveryKeyPrefix, dynamo.AttemptKeyPrefix, dynamo.ParkedKeyPrefix, dynamo.ParkScanKeyPrefix, dynamo.DeadLetterKeyPrefix}},
		{Resource: Table, Actions: []string{"dynamodb:Query"}, LeadingKeys: []string{dynamo.ParkScanKeyPrefix}},
		{Resource: DeliveryQueue, Actions: []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage"}},
		{Resource: DLQ, Actions: []string{"sqs:SendMessage"}},
		{Resource: Bus, Actions: []string{"events:PutEvents"}, Puts: &Puts{Source: bus.DefaultSource, DetailTypes: []string{ownevents.WebhookDisabled}}},
		{Resource: DeliveryQueue, Actions: pollerActions, Poller: true},
	},
}

// CodeActions is the set of actions a function's own code can call (the
// grants without Poller) in any secret store, sorted and without repeats:
// a binary links both stores and picks one at cold start.
func CodeActions(function string) []string {
	var out []string
	for _, store := range SecretStores {
		for _, g := range Grants(function, store) {
			if !g.Poller {
				out = append(out, g.Actions...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
