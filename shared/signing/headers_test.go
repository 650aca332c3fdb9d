package signing

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHeadersBadStandardSecretAfterGoodOne(t *testing.T) {
	_, err := Headers(Request{Prefix: "Hookrelay", Secrets: []string{vecSecretNew, "whsec_not*base64!"}, Body: []byte("{}")})
	if err == nil || !strings.Contains(err.Error(), "secret 2 of 2") {
		t.Fatalf("err = %v", err)
	}
}

func TestHeaderValuesAreIndependent(t *testing.T) {
	h, err := Headers(Request{Prefix: "Hookrelay", Version: "1", EventName: "e", DeliveryID: "d", Timestamp: time.Unix(vecT, 0),
		Secrets: []string{vecSecretNew}, Body: []byte(vecBody)})
	if err != nil {
		t.Fatal(err)
	}
	h.Add("Content-Type", "x")
	h.Set("Webhook-Id", "changed")
	if h.Get("User-Agent") != "hookrelay/1" || h.Get("X-Hookrelay-Delivery") != "d" || len(h.Values("Content-Type")) != 2 {
		t.Fatalf("headers share storage: %v", h)
	}
}

func TestConcurrentSigning(t *testing.T) {
	active := []string{vecSecretNew, vecSecretOld}
	want := "t=1745000000,v1=" + vecHexNew + ",v1=" + vecHexOld
	wantStd := "v1," + vecB64New + " v1," + vecB64Old
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				sig, _ := Signature(active, vecT, []byte(vecBody))
				std, _ := StandardSignature(active, vecID, vecT, []byte(vecBody))
				if sig != want || std != wantStd || SignatureHex(vecSecretOld, vecT, []byte(vecBody)) != vecHexOld {
					t.Error("wrong signature under concurrency")
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkHeadersTwoSecrets(b *testing.B) {
	r := Request{Prefix: "Hookrelay", Version: "1.0.0", EventName: "emailClick", DeliveryID: vecID, Timestamp: time.Unix(vecT, 0),
		Secrets: []string{vecSecretNew, vecSecretOld}, Body: []byte(vecBody)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Headers(r); err != nil {
			b.Fatal(err)
		}
	}
}
