package proxy

import (
	"context"
	"net/http"

	"github.com/jackc/pgx/v5/pgtype"
)

// caller is who made a request, once authenticated: the operator, a Client by id, or nobody
// (anonymous) for a public request that came without credentials.
type caller struct {
	id        string
	operator  bool // the SLUICE_ADMIN_ID credential: bypasses access policies
	anonymous bool // no credentials: only policy.public_request lets such a request through
	// scope is the granted scope of the Bearer token the request came with (what a Bundle's
	// entries are checked against too); not Valid for HTTP Basic, which has policies only.
	scope pgtype.Text
}

type callerKey struct{}

// withCaller returns r carrying its authenticated caller.
func withCaller(r *http.Request, c caller) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
}

// callerOf is the authenticated caller of a request's context (zero outside a request).
func callerOf(ctx context.Context) caller {
	c, _ := ctx.Value(callerKey{}).(caller)
	return c
}
