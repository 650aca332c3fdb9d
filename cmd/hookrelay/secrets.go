package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/awssecrets"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/secretmigrate"
)

// Stack outputs the migration reads (infra sets them).
const (
	outputSecretStore  = "SecretStore"
	outputSecretPrefix = "SecretPrefix"
	outputSecretsKey   = "SecretsKeyArn"
)

func init() { rootCmd.AddCommand(newSecretsCmd()) }

func newSecretsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "secrets", Short: "Operators' tools for the webhook signing secrets of a deployed stack"}
	cmd.AddCommand(newSecretsMigrateCmd())
	for _, sub := range cmd.Commands() {
		run := sub.RunE
		sub.RunE = func(c *cobra.Command, args []string) error { return explainSilence(run(c, args)) }
	}
	return cmd
}

// secretsTarget is the deployed stack a migration acts on: named, or
// given as its table, key, prefix and running store.
type secretsTarget struct {
	stack, table, key, prefix, live string
}

func (t *secretsTarget) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&t.stack, "stack", "", "read the table, key, prefix and running store from this CloudFormation stack's outputs")
	fs.StringVar(&t.table, "table", "", "DynamoDB table (env "+config.EnvTable+")")
	fs.StringVar(&t.key, "kms-key", "", "KMS key of the envelope store, when the stack no longer names it (env "+config.EnvSecretKey+")")
	fs.StringVar(&t.prefix, "secret-prefix", "", "Secrets Manager name prefix (env "+config.EnvSecretPrefix+", default "+config.Defaults().SecretPrefix+")")
	fs.StringVar(&t.live, "live", "", "without --stack: the stack's secretStore setting now (env "+config.EnvSecretStore+")")
}

// resolve fills what the flags leave open: from the stack's outputs when
// one is named (before the environment, which may still hold a local
// stack's values), else from the environment. Which store the stack runs
// with decides whether old secrets are removed, so with --stack only the
// stack says it.
func (t *secretsTarget) resolve(ctx context.Context, cf func() *cloudformation.Client) error {
	env := func(name string) string { return os.Getenv(name) }
	liveFrom := func() string { return fmt.Sprintf("--live %q", t.live) }
	if t.stack != "" {
		if t.live != "" {
			return fmt.Errorf("--live: with --stack the store the stack runs with is read from its %s output", outputSecretStore)
		}
		out, err := stackOutputs(ctx, cf(), t.stack)
		if err != nil {
			return err
		}
		t.table = firstSet(t.table, out[outputTable], env(config.EnvTable))
		t.key = firstSet(t.key, out[outputSecretsKey], env(config.EnvSecretKey))
		t.prefix = firstSet(t.prefix, out[outputSecretPrefix], env(config.EnvSecretPrefix))
		// A stack from before the setting has no output: it runs on Secrets Manager.
		t.live = firstSet(out[outputSecretStore], config.SecretStoreSecretsManager)
		liveFrom = func() string { return fmt.Sprintf("stack %s's %s output %q", t.stack, outputSecretStore, t.live) }
	} else {
		t.table = firstSet(t.table, env(config.EnvTable))
		t.key = firstSet(t.key, env(config.EnvSecretKey))
		t.prefix = firstSet(t.prefix, env(config.EnvSecretPrefix))
		if t.live == "" {
			t.live = env(config.EnvSecretStore)
			liveFrom = func() string { return fmt.Sprintf("%s=%q", config.EnvSecretStore, t.live) }
		}
	}
	switch {
	case t.table == "":
		return fmt.Errorf("name the stack (--stack) or its table (--table or %s)", config.EnvTable)
	case t.live == "":
		return fmt.Errorf("say which store the stack runs with now (--live or %s), or name the stack (--stack)", config.EnvSecretStore)
	}
	if !config.ValidSecretStore(t.live) {
		return fmt.Errorf("%s: must be %s", liveFrom(), config.SecretStoreChoices)
	}
	return nil
}

func newSecretsMigrateCmd() *cobra.Command {
	var target secretsTarget
	var to string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "migrate --to envelope|secretsmanager [--dry-run]",
		Short: "Move every webhook's signing secrets to the other secret store, losing none",
		Long: `Walks every webhook of a deployed stack: copies its secrets to the target
store, reads them back and compares, then marks the webhook item with the
target. The stack must run with secretStore=migrating-to-<target> (every
create and rotation goes to both stores, reads take the source first, else
the target) or
with the target: in the first case the old store's secrets are kept, in the
second a run removes them. Every step can be repeated: a run that stops
anywhere is finished by running it again. Typical use:
  make deploy CDK_ARGS='-c secretStore=migrating-to-envelope ...'
  hookrelay secrets migrate --stack S --to envelope --dry-run
  hookrelay secrets migrate --stack S --to envelope
  make deploy CDK_ARGS='-c secretStore=envelope ...'
  hookrelay secrets migrate --stack S --to envelope   # removes the old secrets`,
		Args: flagsOnly(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := refuseEmptyFlags(cmd.Flags(), "stack", "table", "kms-key", "secret-prefix", "live", "to"); err != nil {
				return err
			}
			if to != config.SecretStoreSecretsManager && to != config.SecretStoreEnvelope {
				return fmt.Errorf("--to %q: must be %s or %s", to, config.SecretStoreSecretsManager, config.SecretStoreEnvelope)
			}
			m, err := target.migration(cmd.Context(), to)
			if err != nil {
				return err
			}
			m.DryRun, m.Out = dryRun, cmd.OutOrStdout()
			rep, err := m.Run(cmd.Context())
			if err != nil {
				// The lines per webhook say how far it got; a rerun resumes.
				return err
			}
			printMigrationReport(cmd.OutOrStdout(), rep, m)
			return nil
		},
	}
	target.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&to, "to", "", "the target store: envelope or secretsmanager")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be done and change nothing")
	return cmd
}

// migration builds the stores over the operator commands' AWS config: the
// standard credential chain (AWS_ENDPOINT_URL_* reach other endpoints),
// a missing credential said in one line, and a silent AWS failing the run
// instead of hanging it (a rerun resumes where it stopped).
func (t *secretsTarget) migration(ctx context.Context, to string) (secretmigrate.Migration, error) {
	cfg, err := operatorAWSConfig(ctx)
	if err != nil {
		return secretmigrate.Migration{}, err
	}
	if err := t.resolve(ctx, func() *cloudformation.Client { return cloudformation.NewFromConfig(cfg) }); err != nil {
		return secretmigrate.Migration{}, err
	}
	// Before anything is read or printed: a refusal is the only output.
	if err := secretmigrate.CheckLive(t.live, to); err != nil {
		return secretmigrate.Migration{}, err
	}
	if t.key == "" {
		return secretmigrate.Migration{}, fmt.Errorf("the envelope store needs its KMS key: --kms-key or %s (a stack running it has the %s output)", config.EnvSecretKey, outputSecretsKey)
	}
	db := dynamodb.NewFromConfig(cfg)
	sm := awssecrets.New(secretsmanager.NewFromConfig(cfg), t.prefix)
	env := envelope.New(awskms.New(kms.NewFromConfig(cfg), t.key), dynamo.NewSealedItems(db, t.table))
	m := secretmigrate.Migration{From: sm, To: env, ToName: to, Live: t.live, Webhooks: dynamo.NewWebhookStore(db, t.table).SecretMarkers()}
	if to == config.SecretStoreSecretsManager {
		m.From, m.To = env, sm
	}
	return m, nil
}

func printMigrationReport(w io.Writer, rep secretmigrate.Report, m secretmigrate.Migration) {
	verb := ""
	if m.DryRun {
		verb = "dry run, nothing changed: "
	}
	fmt.Fprintf(w, "%s%d webhooks: %d copied, %d switched to %s, %d old forms removed, %d unchanged\n",
		verb, rep.Webhooks, rep.Copied, rep.Marked, m.ToName, rep.Removed, rep.Unchanged)
	if m.Live != m.ToName {
		fmt.Fprintf(w, "the stack runs with %s: the old store's secrets are kept. Deploy with -c secretStore=%s, then run this again to remove them.\n", m.Live, m.ToName)
	}
}
