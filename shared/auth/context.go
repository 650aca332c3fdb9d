package auth

import "context"

type principalKey struct{}

// WithPrincipal returns ctx carrying p. The API sets it after
// authenticating, so mounted handlers (the admin API) can read the caller.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal set by WithPrincipal.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
