package cost

// List prices, us-east-1, on-demand, as published on the AWS pricing pages
// on 2026-11-30 (aws.amazon.com/<service>/pricing). Free tiers are left
// out: a stack sized for a million deliveries has used them up. Update
// the date and the figures together.
const (
	PricesDate   = "2026-11-30"
	PricesSource = "AWS list prices, us-east-1 (aws.amazon.com/{eventbridge,sqs,lambda,dynamodb,secrets-manager,kms,cloudwatch}/pricing)"

	// EventBridge: custom events put on a bus, per event (64 KB chunks).
	EventBridgePerEvent = 1.00 / 1e6
	// SQS standard queues: per request, each 64 KB chunk of a payload
	// counting as one request.
	SQSPerRequest    = 0.40 / 1e6
	LambdaPerRequest = 0.20 / 1e6
	// Lambda arm64 duration, per GB-second, billed per 1 ms.
	LambdaPerGBSecond = 0.0000133334
	// DynamoDB on-demand: per write request unit (1 KB) and read request
	// unit (4 KB strongly consistent, or two eventually consistent).
	DynamoPerWRU = 0.625 / 1e6
	DynamoPerRRU = 0.125 / 1e6
	// Secrets Manager: per 10,000 API calls, and per secret per month.
	SecretsManagerPerCall        = 0.05 / 1e4
	SecretsManagerPerSecretMonth = 0.40
	// KMS: per 10,000 requests, and per customer managed key per month.
	KMSPerRequest  = 0.03 / 1e4
	KMSPerKeyMonth = 1.00
	// CloudWatch Logs: ingestion per GB (storage is cents and ignored).
	LogsPerGB = 0.50
	// CloudWatch: per standard alarm-month, per dashboard-month (beyond
	// the account's first three).
	AlarmPerMonth     = 0.10
	DashboardPerMonth = 3.00
)
