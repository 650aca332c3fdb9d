package portal

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/signing"
	"github.com/hookrelay/hookrelay/verify"
)

// TestSnippetsRefuseUnusableSecretsAndStaleOrForeignSignatures runs the
// page's Node and Python snippets with a secret that is unset, empty or not
// whsec_ + base64: both functions throw, naming whsec_, even on headers
// forged with that very secret (an endpoint deployed without
// WEBHOOK_SECRET must not accept what anyone can sign with ""). A real
// delivery verified with another secret, or signed 400 s ago, is false.
func TestSnippetsRefuseUnusableSecretsAndStaleOrForeignSignatures(t *testing.T) {
	const secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	body := `{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1,"data":{}}`
	headers := func(at time.Time) map[string]string {
		h, err := signing.Headers(signing.Request{
			Prefix: "Acme", EventName: "emailClick", DeliveryID: "dlv_1", Timestamp: at, Secrets: []string{secret}, Body: []byte(body),
		})
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"x-acme-signature": h.Get("X-Acme-Signature"), "webhook-id": h.Get("Webhook-Id"),
			"webhook-timestamp": h.Get("Webhook-Timestamp"), "webhook-signature": h.Get("Webhook-Signature")}
	}
	now := time.Now()
	forged := map[string]string{
		"x-acme-signature":  "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=" + hex.EncodeToString(verify.Sum("", now.Unix(), []byte(body))),
		"webhook-id":        "dlv_forged",
		"webhook-timestamp": strconv.FormatInt(now.Unix(), 10),
		"webhook-signature": "v1," + base64.StdEncoding.EncodeToString(verify.StandardSum(nil, "dlv_forged", now.Unix(), []byte(body))),
	}
	verdicts := []struct {
		call snippetCall
		want bool
	}{
		{snippetCall{Name: "a real delivery", Secret: secret, Headers: headers(now), Body: body}, true},
		{snippetCall{Name: "another secret", Secret: "whsec_" + strings.Repeat("A", 43) + "=", Headers: headers(now), Body: body}, false},
		{snippetCall{Name: "signed 400 s ago", Secret: secret, Headers: headers(now.Add(-400 * time.Second)), Body: body}, false},
	}
	unusable := []snippetCall{
		{Name: "empty secret, headers forged with it", Secret: "", Headers: forged, Body: body},
		{Name: "unset secret (null)", Headers: forged, Body: body},
		{Name: "whsec_ alone", Secret: "whsec_", Headers: forged, Body: body},
		{Name: "the secret without whsec_", Secret: strings.TrimPrefix(secret, "whsec_"), Headers: headers(now), Body: body},
		{Name: "whsec_ + not base64", Secret: "whsec_???", Headers: headers(now), Body: body},
	}
	var calls []snippetCall
	for _, v := range verdicts {
		calls = append(calls, v.call)
	}
	calls = append(calls, unusable...)
	for lang, got := range runSnippets(t, "Acme", calls) {
		for i, v := range verdicts {
			if got[i] != [2]any{v.want, v.want} {
				t.Errorf("%s snippet, %s: %v, want both %v", lang, v.call.Name, got[i], v.want)
			}
		}
		for i, c := range unusable {
			if answers := got[len(verdicts)+i]; !threwNamingWhsec(answers[0]) || !threwNamingWhsec(answers[1]) {
				t.Errorf("%s snippet, %s: %v, want both to throw naming whsec_", lang, c.Name, answers)
			}
		}
	}
}

func threwNamingWhsec(answer any) bool {
	msg, _ := answer.(string)
	return strings.HasPrefix(msg, "threw ") && strings.Contains(msg, "whsec_")
}
