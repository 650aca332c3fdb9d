package cost

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hookrelay/hookrelay/shared/lanes"
)

// Fixed monthly items of a stack (infra/alarms.go: one KMS key for the
// alarm topic, the alarms, one dashboard). An infra test counts the
// synthesized stack's alarms and dashboards against these.
const (
	StackAlarms     = 11
	StackDashboards = 1
	stackKeys       = 1
)

// idlePollsPerQueueMonth models the Lambda event source's long polls of an
// empty queue: about five pollers, each a 20 s ReceiveMessage, all month.
const idlePollsPerQueueMonth = 5 * 3 * 60 * 24 * 30

// WriteFixed prints what a stack costs per month whatever its traffic.
func WriteFixed(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "fixed monthly costs\t$/month\t")
	fmt.Fprintf(tw, "  per webhook, secretStore=secretsmanager: Secrets Manager secret\t$%.2f\t\n", SecretsManagerPerSecretMonth)
	fmt.Fprintf(tw, "  per webhook, secretStore=envelope: none (sealed on the webhook item)\t$%.2f\t\n", 0.0)
	fmt.Fprintf(tw, "  per stack, secretStore=envelope: KMS key of the secrets\t$%.2f\t\n", KMSPerKeyMonth)
	fmt.Fprintf(tw, "  per stack: KMS key of the alarm topic\t$%.2f\t\n", stackKeys*KMSPerKeyMonth)
	fmt.Fprintf(tw, "  per stack: %d CloudWatch alarms\t$%.2f\t\n", StackAlarms, StackAlarms*AlarmPerMonth)
	fmt.Fprintf(tw, "  per stack: CloudWatch dashboard\t$%.2f\t\n", StackDashboards*DashboardPerMonth)
	// The ingest queue and every delivery lane has its own event source.
	polled := 1 + lanes.Count
	fmt.Fprintf(tw, "  per stack: event sources' idle long polls, %d queues [modelled]\t$%.2f\t\n", polled, float64(polled)*idlePollsPerQueueMonth*SQSPerRequest)
	return tw.Flush()
}
