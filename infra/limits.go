package main

import (
	"slices"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/permissions"
)

// Timing and size limits derived from the settings. They live together
// because they constrain each other (queue visibility vs. function timeout,
// retention vs. retry schedule, maxReceiveCount vs. schedule length).
const (
	apiTimeout    = 25 * time.Second // under the HTTP API's 30 s integration limit
	fanoutTimeout = 60 * time.Second

	apiMemoryMB = 256
	// make cost prices fan-out's and deliver's duration at shared/costrun's
	// copies of the next two (cost_test.go keeps them equal).
	fanoutMemoryMB = 256
	// deliverMemoryMB: `make cost` measures the local pipeline's peak live
	// heap at 41 MiB at most (fan-out, delivery, pollers and receiver in one
	// process, batches of 10 to 10 endpoints); 256 MB holds that with the
	// runtime several times over, at half the GB-seconds of 512.
	deliverMemoryMB = 256

	sqsBatchSize = 10

	// AWS recommends a queue visibility of at least 6x the consumer's
	// timeout so retried invocations after throttling do not redeliver.
	visibilityFactor = 6

	ingestRetention = 4 * 24 * time.Hour
	// The delivery queue's retention is config.DeliveryRetention: the
	// deliver function keeps retries within config.RetryBudget of it.
	// The DLQ's is config.DLQRetention (the SQS maximum): the tenants'
	// index of their dead letters is kept longer (config.DeadLetterIndexTTL).
	dlqRetention = config.DLQRetention

	ingestMaxReceive = 5
)

// deliverTimeout bounds one batch: the POSTs run in parallel, so one
// delivery timeout plus room for DynamoDB, SQS and Secrets Manager calls.
func deliverTimeout(s Settings) time.Duration {
	return s.DeliveryTimeout + 20*time.Second
}

// laneConcurrency is each delivery lane's share of deliverMaxConcurrency
// (its event source's maximum concurrency); validation keeps it at least 2,
// the event source's minimum.
func laneConcurrency(s Settings) int {
	return s.DeliverMaxConcurrency / lanes.Count
}

func scheduleTotal(sched []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range sched {
		t += d
	}
	return t
}

// ingestVisibility is the ingest queue's visibility timeout.
func ingestVisibility(s Settings) time.Duration {
	return visibilityFactor*fanoutTimeout + s.FanoutBatchWindow
}

// ingestBacklogThreshold: an ingest message fan-out keeps failing is
// received ingestMaxReceive times, a visibility timeout apart, then moved to
// the ingest DLQ; one older than that plus 15 minutes is waiting, not being
// retried: fan-out is not keeping up (45 minutes by default, far under the
// queue's 4 days, after which an event is lost with no dead letter).
func ingestBacklogThreshold(s Settings) time.Duration {
	return ingestMaxReceive*ingestVisibility(s) + 15*time.Minute
}

// oldestMessageThreshold: a message that is being retried normally grows
// as old as the whole schedule, so alarm only beyond that plus 15 minutes.
func oldestMessageThreshold(s Settings) time.Duration {
	return scheduleTotal(s.RetrySchedule) + 15*time.Minute
}

// AWS limits a setting can run into only at deploy time, checked at synth.
const (
	// lambdaEnvBytes: Lambda refuses a function whose variables, names and
	// values, take more.
	lambdaEnvBytes = 4096
	// sqsMaxReceiveCount is the most a redrive policy allows.
	sqsMaxReceiveCount = 1000
)

// resourceValueBytes bounds a variable CloudFormation resolves at deploy:
// a queue URL (https://sqs.<region>.amazonaws.com/<account>/ and a name of
// at most 80), a key ARN, or a table or bus name it generates from the
// stack's name.
func resourceValueBytes(s Settings) int {
	return max(160, len(s.StackName)+80)
}

// envBytes is what a function's variables can take once deployed: the
// settings' values as they are, each resource at its bound (the envelope
// store's key counted whichever store runs).
func envBytes(s Settings, fn string) (total int, longest string) {
	literal := settingValues(s)
	for _, name := range append(slices.Clone(permissions.Env[fn]), permissions.EnvelopeEnv[fn]...) {
		v, ok := literal[name]
		switch {
		case ok:
			total += len(name) + len(v)
			if len(v) > len(literal[longest]) {
				longest = name
			}
		case name == config.EnvDeliveryQueueURL:
			total += len(name) + lanes.Count*(resourceValueBytes(s)+1)
		default:
			total += len(name) + resourceValueBytes(s)
		}
	}
	return total, longest
}

// contextKeyOf names the context key behind a variable the settings give,
// for errors.
var contextKeyOf = map[string]string{
	config.EnvRetrySchedule: CtxRetrySchedule, config.EnvPortalFrameAncestors: CtxPortalFrameAncestors,
	config.EnvPortalLogoURL: CtxPortalLogoURL, config.EnvPortalName: CtxPortalProductName,
	config.EnvPortalAccent: CtxPortalAccentColor, config.EnvOperatorValue: CtxOperatorValue,
	config.EnvOperatorClaim: CtxOperatorClaim, config.EnvOrgClaim: CtxOrgClaim,
	config.EnvSecretPrefix: CtxSecretPrefix, config.EnvHeaderPrefix: CtxHeaderPrefix,
}
