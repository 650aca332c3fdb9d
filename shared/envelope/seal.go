package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// dataKeySize is AES-256's key length (KMS KeySpec AES_256).
const dataKeySize = 32

// aad binds a box to its webhook: a box copied to another webhook's item
// (even one sharing the data key) fails to open. The version prefix lets a
// later format coexist.
func aad(orgID, webhookID string) []byte {
	return []byte("hookrelay-envelope-v1\x00" + orgID + "\x00" + webhookID)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != dataKeySize {
		return nil, errors.New("envelope: data key is not 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts the record's JSON under key with a random nonce (96 bits:
// safe for far more encryptions per key than a webhook's rotations).
func seal(key []byte, orgID, webhookID string, r secrets.Record) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(r)
	if err != nil {
		return nil, errors.New("envelope: encode secret record")
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plain)+gcm.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plain, aad(orgID, webhookID)), nil
}

// open decrypts a box. Its errors never quote the content.
func open(key []byte, orgID, webhookID string, box []byte) (secrets.Record, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return secrets.Record{}, err
	}
	if len(box) < gcm.NonceSize()+gcm.Overhead() {
		return secrets.Record{}, errors.New("envelope: sealed secrets too short")
	}
	n := gcm.NonceSize()
	plain, err := gcm.Open(nil, box[:n], box[n:], aad(orgID, webhookID))
	if err != nil {
		return secrets.Record{}, errors.New("envelope: sealed secrets do not open for this webhook")
	}
	var r secrets.Record
	if json.Unmarshal(plain, &r) != nil || r.Current == "" {
		return secrets.Record{}, errors.New("envelope: sealed secrets are not a hookrelay secret record")
	}
	return r, nil
}
