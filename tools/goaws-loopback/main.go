// goaws-loopback serves goaws's SQS/SNS router on 127.0.0.1 only. goaws's
// own command binds 0.0.0.0 with no authentication: anyone who can reach
// the machine could list the dev queues and inject deliveries that hookrelay
// dev would sign with a tenant's real secret. This program loads goaws's
// configuration and runs its router and its periodic tasks exactly as the
// upstream command does; only the listen address differs, long polls
// answer as soon as a message arrives (longpoll.go), and a standard queue
// whose messages carry a MessageGroupId is a fair queue, as on AWS
// (fairorder.go), ChangeMessageVisibilityBatch is answered, as on AWS
// (batchvisibility.go), queues can be created beside other traffic without
// crashing goaws (mapguard.go), and a request whose Host is not loopback
// with goaws's port is refused, against DNS rebinding (tools/loopbackguard).
//
// It is a module of its own so that goaws's dependencies (aws-sdk-go v1,
// logrus, its own pinned SDK v2 versions) stay out of hookrelay's go.mod;
// `make tools` builds it into .tools/bin/goaws.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/Admiral-Piett/goaws/app/conf"
	"github.com/Admiral-Piett/goaws/app/gosqs"
	"github.com/Admiral-Piett/goaws/app/router"
	log "github.com/sirupsen/logrus"

	"github.com/hookrelay/hookrelay/tools/loopbackguard"
)

// newHandler is goaws's router behind this program's additions, the Host
// check outermost so that a refused request reaches nothing (tools/loopbackguard),
// the map guard innermost so that a long poll's wait holds no lock
// (mapguard.go).
func newHandler() http.Handler {
	return loopbackguard.Handler("goaws-loopback", newLongPoll(fairOrder{next: batchVisibility{next: mapGuard{next: router.New()}}}))
}

// host is the only address served: loopback, by design not configurable.
const host = "127.0.0.1"

func main() {
	config := flag.String("config", "", "goaws config file (required)")
	level := flag.String("loglevel", "info", "log level")
	flag.Parse()
	if err := run(*config, *level, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "goaws-loopback:", err)
		os.Exit(1)
	}
}

func run(config, level, env string) error {
	if config == "" {
		// Without -config goaws searches the working directory tree for
		// any goaws.yaml; an explicit file is the only predictable input.
		return errors.New("-config is required")
	}
	if err := setupLog(os.Stdout, level); err != nil {
		return err
	}
	if env == "" {
		env = "Local"
	}

	ports := conf.LoadYamlConfig(config, env)
	handler := newHandler()
	go gosqs.PeriodicTasks(time.Second, make(chan bool))

	errs := make(chan error, len(ports))
	for _, port := range ports {
		srv := &http.Server{Addr: net.JoinHostPort(host, port), Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		log.Warnf("goaws listening on %s", srv.Addr)
		go func() { errs <- srv.ListenAndServe() }()
	}
	return <-errs
}
