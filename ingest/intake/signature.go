package intake

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"time"
)

// Errors of signature verification. Each is answered 401; the message
// says which check failed without revealing the expected value.
var (
	ErrMissingSignature = errors.New("missing signature")
	ErrBadSignature     = errors.New("signature does not match the body")
	ErrStaleSignature   = errors.New("signed timestamp is outside the tolerance")
)

// Verifier checks that a webhook request was signed with the shared secret.
type Verifier func(h http.Header, body []byte, secret []byte, now time.Time, tolerance time.Duration) error

// Header names of the sources' signatures.
const (
	HeaderZendeskSignature   = "X-Zendesk-Webhook-Signature"
	HeaderZendeskTimestamp   = "X-Zendesk-Webhook-Signature-Timestamp"
	HeaderIntercomSignature  = "X-Hub-Signature"
	HeaderGitHubSignature    = "X-Hub-Signature-256"
	HeaderDiscourseSignature = "X-Discourse-Event-Signature"
)

// VerifyZendesk checks X-Zendesk-Webhook-Signature, the base64
// HMAC-SHA256 of the timestamp header followed by the body, and refuses a
// timestamp further than tolerance from now: a captured request cannot be
// replayed later.
func VerifyZendesk(h http.Header, body, secret []byte, now time.Time, tolerance time.Duration) error {
	sig, ts := h.Get(HeaderZendeskSignature), h.Get(HeaderZendeskTimestamp)
	if sig == "" || ts == "" {
		return fmt.Errorf("%w: want %s and %s", ErrMissingSignature, HeaderZendeskSignature, HeaderZendeskTimestamp)
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("%w: %s is not base64", ErrBadSignature, HeaderZendeskSignature)
	}
	signedBody := make([]byte, 0, len(ts)+len(body))
	signedBody = append(append(signedBody, ts...), body...)
	if !hmac.Equal(got, mac(sha256.New, secret, signedBody)) {
		return ErrBadSignature
	}
	// The time is checked after the signature, so that an attacker cannot
	// learn anything from which of the two failed for a forged request.
	at, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return fmt.Errorf("%w: %s %q is not an RFC 3339 time", ErrStaleSignature, HeaderZendeskTimestamp, ts)
	}
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed at %s, %s from now", ErrStaleSignature, ts, d.Round(time.Second))
	}
	return nil
}

// VerifyIntercom checks X-Hub-Signature: sha1= and the hex HMAC-SHA1 of
// the body, keyed with the app's client secret. Intercom signs no
// timestamp, so replays within JetStream's duplicate window are dropped by
// the record id and later ones overwrite the same row.
func VerifyIntercom(h http.Header, body, secret []byte, _ time.Time, _ time.Duration) error {
	return verifyHex(h.Get(HeaderIntercomSignature), HeaderIntercomSignature, "sha1=", mac(sha1.New, secret, body))
}

// VerifyGitHub checks X-Hub-Signature-256: sha256= and the hex
// HMAC-SHA256 of the body.
func VerifyGitHub(h http.Header, body, secret []byte, _ time.Time, _ time.Duration) error {
	return verifyHex(h.Get(HeaderGitHubSignature), HeaderGitHubSignature, "sha256=", mac(sha256.New, secret, body))
}

// VerifyDiscourse checks X-Discourse-Event-Signature: sha256= and the hex
// HMAC-SHA256 of the body.
func VerifyDiscourse(h http.Header, body, secret []byte, _ time.Time, _ time.Duration) error {
	return verifyHex(h.Get(HeaderDiscourseSignature), HeaderDiscourseSignature, "sha256=", mac(sha256.New, secret, body))
}

func verifyHex(value, header, prefix string, want []byte) error {
	if value == "" {
		return fmt.Errorf("%w: want %s", ErrMissingSignature, header)
	}
	hexSig, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return fmt.Errorf("%w: %s must start with %s", ErrBadSignature, header, prefix)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return fmt.Errorf("%w: %s is not hex", ErrBadSignature, header)
	}
	if !hmac.Equal(got, want) {
		return ErrBadSignature
	}
	return nil
}

func mac(h func() hash.Hash, key, data []byte) []byte {
	m := hmac.New(h, key)
	m.Write(data)
	return m.Sum(nil)
}
