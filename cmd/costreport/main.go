// costreport runs the local pipeline through the fixed scenarios of
// `make cost` and prints, per delivery, the AWS calls the handlers made,
// DynamoDB capacity, log bytes and dollars per million deliveries at list
// prices.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/cost"
	"github.com/hookrelay/hookrelay/shared/costrun"
)

func main() {
	n := flag.Int("events", 1000, "events per scenario")
	var level slog.Level // INFO: the stack's default logLevel
	flag.TextVar(&level, "log-level", level, "the stack's logLevel to price the handlers' log lines at (DEBUG adds a line per delivery)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *n, level); err != nil {
		fmt.Fprintln(os.Stderr, "costreport:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, events int, level slog.Level) error {
	fmt.Printf("hookrelay cost per delivery, measured on the local stack (%s/%s, %d CPUs)\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Printf("prices: %s, %s\n", cost.PricesSource, cost.PricesDate)
	fmt.Println("DynamoDB units are dynalite's, computed from item sizes by DynamoDB's rules (1 KB write, 4 KB read steps).")
	fmt.Printf("logs: the handlers' lines at logLevel %s; Lambda's START/END/REPORT lines are off (systemLogLevel WARN).\n", level)
	fmt.Println("Lambda duration: the handlers' time on this machine (a full core, where a 256 MB Lambda has about 0.14 vCPU),")
	fmt.Println("  with every endpoint on loopback answering at once; endpoint response time is NOT in it nor in the totals:")
	fmt.Println("  each scenario's last line is what every 100 ms the endpoints take to answer adds.")
	fmt.Println("events: the catalog's new-contact sample (its data size in each title), without a detail.id unless the title")
	fmt.Println("  says producer detail.id; [modelled] lines count the 64 KB chunks of the messages the event sources received.")
	fmt.Println()
	var scenarios []costrun.Scenario
	for _, shape := range []costrun.Shape{costrun.Busy, costrun.Sparse} {
		for _, endpoints := range []int{1, 10} {
			for _, failFirst := range []bool{false, true} {
				scenarios = append(scenarios, costrun.Scenario{Events: events, Endpoints: endpoints, FailFirst: failFirst, Shape: shape, LogLevel: level})
			}
		}
	}
	// The other secret store, where it makes a difference: N=1, where a
	// cold container's secret read is shared by the fewest deliveries.
	for _, shape := range []costrun.Shape{costrun.Busy, costrun.Sparse} {
		scenarios = append(scenarios, costrun.Scenario{Events: events, Endpoints: 1, Shape: shape, LogLevel: level, SecretStore: config.SecretStoreEnvelope})
	}
	// What the sample-sized, id-less rows leave out: a producer's
	// detail.id (fan-out claims it, a write per event), and a larger event
	// (about 2 KB of chat, past the attempt entry's first 1 KB write unit).
	for _, shape := range []costrun.Shape{costrun.Busy, costrun.Sparse} {
		scenarios = append(scenarios,
			costrun.Scenario{Events: events, Endpoints: 1, Shape: shape, LogLevel: level, ProducerID: true},
			costrun.Scenario{Events: events, Endpoints: 1, Shape: shape, LogLevel: level, DataBytes: 2048})
	}
	scenarios = append(scenarios, costrun.Scenario{Events: events, Endpoints: 10, Shape: costrun.Busy, LogLevel: level, ProducerID: true})
	for _, sc := range scenarios {
		if err := measure(ctx, sc); err != nil {
			return err
		}
	}
	return cost.WriteFixed(os.Stdout)
}

func measure(ctx context.Context, sc costrun.Scenario) error {
	dir, err := os.MkdirTemp("", "hookrelay-cost-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	m, err := costrun.Measure(ctx, sc, dir)
	if err != nil {
		return fmt.Errorf("%s: %w", sc, err)
	}
	if err := cost.Write(os.Stdout, sc.String(), m, cost.Price(m)); err != nil {
		return err
	}
	fmt.Println()
	return nil
}
