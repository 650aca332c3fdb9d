// kms-loopback serves local-kms (a KMS emulator) on 127.0.0.1 only.
// local-kms's own command binds every interface with no authentication:
// anyone who can reach the machine could decrypt the dev stack's envelope
// data keys, and with them every webhook's signing secret. This program
// runs local-kms's request handler and database exactly as its command
// does; only the listen address differs, a request whose Host is not
// loopback with this port is refused, against DNS rebinding
// (tools/loopbackguard), and there is no seed file (the callers create their key
// through the API, as in AWS).
//
// It is a module of its own so that local-kms's dependencies (aws-sdk-go
// v1, logrus, goleveldb) stay out of hookrelay's go.mod; `make tools`
// builds it into .tools/bin/local-kms.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	kms "github.com/nsmithuk/local-kms/src"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"

	"github.com/hookrelay/hookrelay/tools/loopbackguard"
)

// host is the only address served: loopback, by design not configurable.
const host = "127.0.0.1"

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (required)")
	dir := flag.String("data", "", "directory of the key database (required)")
	region := flag.String("region", "us-east-1", "region in key ARNs")
	account := flag.String("account", "111122223333", "account id in key ARNs")
	flag.Parse()
	if err := run(*port, *dir, *region, *account); err != nil {
		fmt.Fprintln(os.Stderr, "kms-loopback:", err)
		os.Exit(1)
	}
}

func run(port int, dir, region, account string) error {
	if port <= 0 || port > 65535 {
		return errors.New("-port is required (1-65535)")
	}
	if dir == "" {
		// local-kms defaults to /tmp/local-kms, shared by every run on the
		// machine: keys of one stack would leak into another's.
		return errors.New("-data is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	config.AWSRegion, config.AWSAccountId, config.DatabasePath = region, account, abs
	db := data.NewDatabase(abs)
	defer db.Close()

	srv := &http.Server{
		Addr:              net.JoinHostPort(host, strconv.Itoa(port)),
		Handler:           newHandler(db),
		ReadHeaderTimeout: 10 * time.Second,
	}
	return srv.ListenAndServe()
}

// newHandler is local-kms's request handler on db behind the Host check,
// so that a refused request reaches neither the handler nor the keys.
func newHandler(db *data.Database) http.Handler {
	return loopbackguard.Handler("kms-loopback", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kms.HandleRequest(w, r, db) }))
}
