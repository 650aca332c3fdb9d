package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// referenceHeaders is Headers as first written: hmac.New per signature,
// Header.Set per header. The reusing implementation must match it exactly.
func referenceHeaders(r Request) http.Header {
	t := r.Timestamp.Unix()
	msg := func(prefix string) []byte { return []byte(prefix + strconv.FormatInt(t, 10) + "." + string(r.Body)) }
	sig := "t=" + strconv.FormatInt(t, 10)
	var std []string
	for _, s := range r.Secrets {
		m := hmac.New(sha256.New, []byte(s))
		m.Write(msg(""))
		sig += ",v1=" + hex.EncodeToString(m.Sum(nil))
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		m = hmac.New(sha256.New, key)
		m.Write(msg(r.DeliveryID + "."))
		std = append(std, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "hookrelay/"+r.Version)
	h.Set("X-"+r.Prefix+"-Event", r.EventName)
	h.Set("X-"+r.Prefix+"-Delivery", r.DeliveryID)
	h.Set("X-"+r.Prefix+"-Signature", sig)
	h.Set("webhook-id", r.DeliveryID)
	h.Set("webhook-timestamp", strconv.FormatInt(t, 10))
	h.Set("webhook-signature", strings.Join(std, " "))
	return h
}

func TestHeadersMatchReference(t *testing.T) {
	bigBody := strings.Repeat(`{"k":"vvvvvvvv"},`, 500)
	for _, prefix := range []string{"Hookrelay", "aigeon", "ACME", "my-brand"} {
		for n := 1; n <= 3; n++ {
			var secretList []string
			for i := range n {
				secretList = append(secretList, "whsec_"+base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("secret-%d-%s-0123456789", i, prefix))))
			}
			for _, body := range []string{vecBody, bigBody} {
				r := Request{Prefix: prefix, Version: "9.9.9", EventName: "emailClick", DeliveryID: vecID + prefix,
					Timestamp: time.Unix(vecT+int64(n), 0), Secrets: secretList, Body: []byte(body)}
				for range 3 { // reused states must give the same answer
					got, err := Headers(r)
					if err != nil {
						t.Fatal(err)
					}
					if want := referenceHeaders(r); !reflect.DeepEqual(got, want) {
						t.Fatalf("prefix %s, %d secrets:\n got %v\nwant %v", prefix, n, got, want)
					}
				}
			}
		}
	}
}

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

func TestConcurrentSigningWithSharedStates(t *testing.T) {
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

func TestMACCacheIsBounded(t *testing.T) {
	for i := range maxCachedSecrets + 10 {
		SignatureHex("s"+strconv.Itoa(i), vecT, nil)
	}
	if n := hexMACs.n.Load(); n > maxCachedSecrets {
		t.Fatalf("cache holds %d secrets", n)
	}
	if got := SignatureHex(vecSecretNew, vecT, []byte(vecBody)); got != vecHexNew {
		t.Fatalf("after eviction: %s", got)
	}
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
