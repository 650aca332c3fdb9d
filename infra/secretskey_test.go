package main

import "testing"

// The envelope store's key is retained even with removalPolicy=destroy: the
// deploy that moves a stack back to secretsmanager removes it from the
// stack, and the README's last migration run still decrypts with it.
// Deleting the stack, or replacing the key, must not schedule its deletion
// either while items may be sealed with it.
func TestSecretsKeyRetainedWithRemovalPolicyDestroy(t *testing.T) {
	s := synth(t, map[string]interface{}{
		CtxJWTIssuer:     "https://auth.example.com/",
		CtxJWTAudience:   "hookrelay-api",
		CtxSecretStore:   "envelope",
		CtxRemovalPolicy: "destroy",
	})
	key := s.resources[s.id(t, "SecretsKey")]
	if key["DeletionPolicy"] != "Retain" || key["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("SecretsKey DeletionPolicy %v, UpdateReplacePolicy %v, want Retain for both", key["DeletionPolicy"], key["UpdateReplacePolicy"])
	}
	// The rest still follows removalPolicy.
	if tbl := s.resources[s.id(t, "Table")]; tbl["DeletionPolicy"] != "Delete" {
		t.Errorf("Table DeletionPolicy %v under removalPolicy=destroy", tbl["DeletionPolicy"])
	}
}
