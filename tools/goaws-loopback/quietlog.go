package main

import (
	"fmt"
	"io"
	"strings"

	log "github.com/sirupsen/logrus"
)

// setupLog sends goaws's log to w as JSON lines at level and up, without
// its warning for an empty receive.
func setupLog(w io.Writer, level string) error {
	lvl, err := log.ParseLevel(level)
	if err != nil {
		return fmt.Errorf("-loglevel: %w", err)
	}
	log.SetFormatter(quietFormatter{next: &log.JSONFormatter{}})
	log.SetOutput(w)
	log.SetLevel(lvl)
	return nil
}

// emptyReceive starts the warning goaws logs for every receive that finds
// no message. longPoll asks goaws again every recheck for every waiting
// poller, so an idle make dev wrote ~5,000 of them a minute (~32 MB/h of
// .hookrelay/goaws.log) and nothing else: they say only that all is quiet.
const emptyReceive = "No messages in Queue"

// quietFormatter formats every entry as next does but the empty-receive
// warning, which it turns into no bytes (logrus writes what Format gives,
// and has no other way to drop an entry).
type quietFormatter struct{ next log.Formatter }

func (f quietFormatter) Format(e *log.Entry) ([]byte, error) {
	if strings.HasPrefix(e.Message, emptyReceive) {
		return nil, nil
	}
	return f.next.Format(e)
}
