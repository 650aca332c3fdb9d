package main

import (
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
)

// The banner's hint for the envelope store must be something a user who
// started `make dev` can type: make refuses --secret-store as an option of
// its own, so the hint sets the environment variable dev reads.
func TestSecretStoreNoteNamesACommandMakeAccepts(t *testing.T) {
	note := secretStoreNote(config.SecretStoreSecretsManager)
	if !strings.Contains(note, "HOOKRELAY_SECRET_STORE=envelope make dev") {
		t.Errorf("default store's note %q does not say how to run make dev with the envelope store", note)
	}
	if strings.Contains(note, "--secret-store") {
		t.Errorf("default store's note %q suggests a flag make does not take", note)
	}
	if note := secretStoreNote(config.SecretStoreEnvelope); !strings.HasPrefix(note, "envelope:") {
		t.Errorf("envelope store's note %q does not name the store", note)
	}
}
