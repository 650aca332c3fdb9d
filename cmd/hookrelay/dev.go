package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

func init() {
	var verbose, clean bool
	var secretStore string
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole pipeline locally (emulators, API, fan-out, delivery) until Ctrl-C",
		Long: `Starts dynalite and goaws on loopback, creates the table and queues, serves
the API on HOOKRELAY_ADDR (default 127.0.0.1:8080) and runs the fan-out and
delivery handlers on the queues as Lambda would. Data lives in .hookrelay/
(HOOKRELAY_DATA_DIR to change): webhooks and secrets survive a restart.
--secret-store envelope (or HOOKRELAY_SECRET_STORE=envelope) keeps signing
secrets sealed on the webhook items under a local-kms data key, as a stack
deployed with -c secretStore=envelope does; the default keeps them in a file.`,
		Args: flagsOnly(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clean {
				return cleanData(cmd.OutOrStdout())
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			log := devrun.NewLogger(os.Stderr, level)
			slog.SetDefault(log) // packages that log without a logger read alike
			env := map[string]string{}
			if secretStore != "" {
				if secretStore != config.SecretStoreSecretsManager && secretStore != config.SecretStoreEnvelope {
					return fmt.Errorf("--secret-store %q: must be %s or %s", secretStore, config.SecretStoreSecretsManager, config.SecretStoreEnvelope)
				}
				env[config.EnvSecretStore] = secretStore
			}
			return runDev(cmd.Context(), cmd.OutOrStdout(), devrun.Options{Logger: log, Env: env, SecretStoreFlag: secretStore != ""})
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also log debug lines (every batch)")
	cmd.Flags().BoolVar(&clean, "clean", false, "remove the data folder and exit, refused while a dev runs on it (make clean)")
	cmd.Flags().StringVar(&secretStore, "secret-store", "", "secretsmanager (default: a local file stands in) or envelope (local-kms); overrides "+config.EnvSecretStore)
	rootCmd.AddCommand(cmd)
}

// cleanData is make clean's removal of the data folder: refused while a
// dev runs on it, which would go on without its data and state file.
func cleanData(out io.Writer) error {
	dir, err := devstate.DataDir()
	if err != nil {
		return err
	}
	existed, err := devrun.Clean(dir)
	switch {
	case err != nil:
		return err
	case !existed:
		fmt.Fprintf(out, "nothing to remove: %s does not exist\n", dir)
	default:
		fmt.Fprintf(out, "removed %s\n", dir)
	}
	return nil
}

func runDev(ctx context.Context, out io.Writer, o devrun.Options) error {
	// Ctrl-C during startup aborts it too; Start cleans up after itself.
	// dev keeps watching the signals itself, unlike the other commands:
	// its emulators run in process groups of their own, which a terminal's
	// Ctrl-C does not reach, so a second Ctrl-C must not kill dev before
	// Stop has ended them.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := devrun.Start(ctx, o)
	if err != nil {
		return err
	}
	defer s.Stop()
	printBanner(out, s)
	select {
	case <-ctx.Done():
		o.Logger.Info("stopping")
		return nil
	case <-s.Failed():
		return s.Err()
	}
}

// printBanner's commands set the data folder (or key file) when it is not
// the default: typed bare in another terminal, they would read the default
// one's key and state and reach no stack, or the wrong one.
func printBanner(w io.Writer, s *devrun.Stack) {
	rel := s.DataDir
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, s.DataDir); err == nil && !filepath.IsAbs(r) && len(r) < len(rel) {
			rel = r
		}
	}
	fmt.Fprintf(w, `
hookrelay dev is running (Ctrl-C to stop)
  API        %s   (spec: %s/openapi.json)
  token      %s
  receiver   %sHOOKRELAY_LISTEN_SECRET=whsec_... go run ./cmd/hookrelay listen --port 9000
  data       %s   (webhooks and secrets persist; emulator logs: *.log)
  secrets    %s

`, s.API, s.API, devauth.TokenCommand(s.DataDir, "org_a"), devstate.CommandEnv(s.DataDir), rel, secretStoreNote(s.Config.SecretStore))
}

// secretStoreNote says where make dev keeps the signing secrets, and how
// to pick the other store in a way that works with make too (make takes no
// --secret-store: it would refuse it as one of its own options).
func secretStoreNote(store string) string {
	if store == config.SecretStoreEnvelope {
		return "envelope: sealed on the webhook items under a local-kms data key (" + config.EnvSecretStore + "=envelope)"
	}
	return "in a 0600 file standing in for Secrets Manager (" + config.EnvSecretStore + "=envelope make dev for the envelope store)"
}
