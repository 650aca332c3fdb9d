package devrun

import (
	"testing"

	"github.com/hookrelay/hookrelay/shared/emulator"
)

// The message about an emulator that exited names the log file its
// output went to: each emulator's log is opened under logName too.
func TestEveryEmulatorsLogIsTheFileItsMessageNames(t *testing.T) {
	for name, want := range map[string]string{emulator.DynaliteName: "dynamodb.log", emulator.GoawsName: "goaws.log", emulator.KMSName: "kms.log"} {
		if got := logName(name); got != want {
			t.Errorf("%s's log: %q, want %q (the file it writes)", name, got, want)
		}
	}
}
