package netguard

import (
	"errors"
	"net/url"
)

// ErrInvalidURL marks an endpoint URL that can never be delivered to.
var ErrInvalidURL = errors.New("invalid url")

// ValidateURL parses an endpoint URL at delivery time: https only, or http
// too in dev mode (allowLoopback), where the guard still limits it to
// loopback. The error never repeats the URL (it may carry credentials).
func ValidateURL(raw string, allowLoopback bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, ErrInvalidURL
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowLoopback:
	default:
		return nil, errors.Join(ErrInvalidURL, errors.New("scheme must be https"))
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return nil, errors.Join(ErrInvalidURL, errors.New("host required"))
	}
	return u, nil
}

// Mask returns "scheme://host/…" for logs: paths and queries of webhook
// URLs often carry tokens, and user:password@ must never be logged.
func Mask(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid url>"
	}
	return MaskURL(u)
}

// MaskURL is Mask for an already parsed URL (no second parse on the
// delivery path).
func MaskURL(u *url.URL) string {
	if u == nil || u.Host == "" {
		return "<invalid url>"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
