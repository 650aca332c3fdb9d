package devrun

import (
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/apiapp"
	"github.com/hookrelay/hookrelay/shared/app/deliverapp"
	"github.com/hookrelay/hookrelay/shared/app/fanoutapp"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// handlers is what the stack runs: the same three entry points as the
// Lambdas, built by the same wiring packages (shared/app/...) from the local adapters.
type handlers struct {
	API     http.Handler
	Fanout  queue.Handler
	Deliver queue.Handler
}

// newHandlers swaps in the local adapters for the services that have no
// emulator: a bus that writes EventBridge-shaped records straight onto the
// ingest queue, and JWTs signed with the dev key that `hookrelay token`
// uses; store is the secret store (secrets.go).
func newHandlers(cfg config.Config, db *dynamodb.Client, q *sqsqueue.Client, store secrets.Store, dataDir string, log *slog.Logger) (handlers, error) {
	key, err := devauth.DevKey(dataDir)
	if err != nil {
		return handlers{}, err
	}
	local := devbus.NewLocal(q, cfg.IngestQueueURL)
	adapters := app.Adapters{Config: cfg, Dynamo: db, SQS: q, Secrets: store, Bus: local, Logger: log}
	jwt, err := devauth.ForDataDir(key, cfg, dataDir)
	if err != nil {
		return handlers{}, err
	}
	apiHandler, err := apiapp.New(apiapp.Deps{Adapters: adapters, Auth: jwt})
	if err != nil {
		return handlers{}, err
	}
	// The pipeline's handlers write every line here, DEBUG included: a
	// developer watches each delivered attempt go by.
	adapters.Logger = everyLine(log)
	fan, err := fanoutapp.New(fanoutapp.Deps{Config: cfg, Dynamo: db, SQS: q, Logger: adapters.Logger})
	if err != nil {
		return handlers{}, err
	}
	deliver, err := deliverapp.New(adapters)
	if err != nil {
		return handlers{}, err
	}
	return handlers{API: apiHandler, Fanout: queue.Handler(fan), Deliver: queue.Handler(deliver)}, nil
}
