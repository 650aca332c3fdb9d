package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/listener"
	"github.com/hookrelay/hookrelay/verify"
)

func init() { rootCmd.AddCommand(newListenCmd()) }

func newListenCmd() *cobra.Command {
	var (
		port   int
		secret string
		o      listener.Options
	)
	cmd := &cobra.Command{
		Use:   "listen [--secret -]",
		Short: "A local webhook receiver that verifies signatures and prints every event",
		Long: `Receives deliveries on http://127.0.0.1:<port>/ (use that as the webhook URL
with 'make dev'), verifies both signature families with the signing secret,
prints each event (at most 64 KiB of its body, indented when nested at most
32 levels), and answers with the status you choose, never waiting on the
printing. Bad signatures get 400. Demonstrate retries with --fail-first 2, the DLQ with --status 500
or --status 400, and timeouts with a --delay above HOOKRELAY_DELIVERY_TIMEOUT.
Each line's "attempt N" counts the requests this receiver has had for that
delivery id since it started (the pipeline sends no attempt number).

` + listenSecretInput.sources("whsec_..."),
		Example: `  HOOKRELAY_LISTEN_SECRET=whsec_... hookrelay listen --port 9000
  hookrelay listen --secret - < secret.txt
  hookrelay listen --fail-first 2
  hookrelay listen --delay 12s`,
		Args: flagsOnly("--port"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			// listener.New takes 0 for 200; an explicit --status 0 is a mistake.
			if err := listener.CheckStatus(o.Status); err != nil {
				return fmt.Errorf("--%w", err)
			}
			var err error
			if o.Secret, err = listenSecret(cmd.Context(), secret, cmd.InOrStdin(), os.LookupEnv); err != nil {
				return err
			}
			// Say where a brand that cannot be in a header name came from.
			source := "--prefix"
			if !cmd.Flags().Changed("prefix") {
				o.Prefix, source = listenPrefix(), config.EnvHeaderPrefix
			}
			if err := config.CheckHeaderPrefix(o.Prefix); err != nil {
				return fmt.Errorf("%s: %w", source, err)
			}
			o.Out = cmd.OutOrStdout()
			return runListen(cmd.Context(), port, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&port, "port", 9000, "port on 127.0.0.1")
	f.StringVar(&secret, "secret", "", listenSecretInput.usage("the webhook's signing_secret"))
	f.IntVar(&o.Status, "status", http.StatusOK, "status to answer once --fail-first is used up")
	f.IntVar(&o.FailFirst, "fail-first", 0, "answer 500 to the first N requests of each delivery id")
	f.DurationVar(&o.Delay, "delay", 0, "wait this long before answering")
	f.StringVar(&o.Prefix, "prefix", "", "header brand: X-<prefix>-Signature (default $"+config.EnvHeaderPrefix+", else the running make dev's, else "+config.Defaults().HeaderPrefix+")")
	return cmd
}

// listenPrefix is the header brand listen checks without --prefix:
// $HOOKRELAY_HEADER_PREFIX when set, as the stack reads it; else the one
// the running `make dev` sends (its state file, while that dev holds its
// lock: a killed dev's leftover file does not count), so a receiver
// started in another terminal as the quick start shows verifies a stack
// started with HOOKRELAY_HEADER_PREFIX; else the stack's default. A
// variable the stack would refuse is returned as it is, for listener.New
// to refuse too, rather than silently replaced.
func listenPrefix() string {
	if v := strings.TrimSpace(os.Getenv(config.EnvHeaderPrefix)); v != "" {
		if cfg, err := config.Load(); err == nil {
			return cfg.HeaderPrefix
		}
		return v
	}
	if s, _, err := devrun.Running(); err == nil && s.HeaderPrefix != "" {
		return s.HeaderPrefix
	}
	return config.Defaults().HeaderPrefix
}

func runListen(ctx context.Context, port int, o listener.Options) error {
	l, err := listener.New(o)
	if err != nil {
		return err
	}
	if port < 0 || port > 65535 {
		return fmt.Errorf("--port %d: must be a TCP port, 1 to 65535 (0 picks a free one)", port)
	}
	ln, err := listener.Listen(port)
	if err != nil {
		return err
	}
	// ctx is the command's: main's first Ctrl-C or SIGTERM ends it (and a
	// second one kills, nothing being left to clean up).
	srv := &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	fmt.Fprintf(o.Out, "Listening on http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	fmt.Fprintf(o.Out, "  checks %s and webhook-signature\n", verify.HeaderName(o.Prefix, "Signature"))
	fmt.Fprintf(o.Out, "  answers %s\n\n", answers(o))
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Requests held by --delay are cut short: stopping should not wait 12 s.
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// answers describes the configured behaviour in one line.
func answers(o listener.Options) string {
	s := fmt.Sprintf("%d", o.Status)
	if o.FailFirst > 0 {
		s = fmt.Sprintf("500 to the first %d requests of each delivery, then %d", o.FailFirst, o.Status)
	}
	if o.Delay > 0 {
		s += fmt.Sprintf(", after %s", o.Delay)
	}
	return s + "; 400 to bad signatures"
}
