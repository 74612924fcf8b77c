package proxy

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-fhir/sluice/gen"
)

// Bounds of the authentication bookkeeping: how many verified credentials and how many
// (client id, remote address) failure records are kept; the least recently used go first.
const (
	authCacheEntries   = 10000
	authFailureEntries = 10000
	// authBackoffStart is the first wait once a client id from one address has used up its
	// failures; each further failure doubles it, up to Config.AuthBackoffMax.
	authBackoffStart = time.Second
)

// authorize lets the request through or returns a 400/401/403/429 error. A Bearer token is
// checked by authorizeBearer; HTTP Basic here. The operator
// credential (SLUICE_ADMIN_ID/SLUICE_ADMIN_SECRET) bypasses policies; every other client is
// checked by policy.decide in the database: its hashed secret, then its AccessPolicies.
// Credentials that cannot be right (a NUL or invalid UTF-8) are refused without asking the
// database, and so is a client id that failed too often from the same address (429).
// On success it returns r carrying its caller (callerOf).
func (s *Server) authorize(r *http.Request, rt route) (*http.Request, error) {
	if token, ok := bearerToken(r); ok {
		return s.authorizeBearer(r, rt, token)
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		return s.authorizeAnonymous(r, rt)
	}
	attempt := failureKey{clientID: id, addr: remoteHost(r)}
	if wait := s.auth.blocked(attempt); wait > 0 {
		return nil, &httpError{Code: http.StatusTooManyRequests, RetryAfter: wait,
			Message: "too many failed authentications of client " + id + " from this address: retry after the Retry-After seconds (SLUICE_AUTH_MAX_FAILURES, SLUICE_AUTH_BACKOFF_MAX)"}
	}
	if !storableText(id) || !storableText(secret) {
		s.auth.failed(attempt)
		return nil, errorf(http.StatusUnauthorized, "wrong client id or secret")
	}
	if id == s.cfg.AdminID {
		if subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.AdminSecret)) == 1 {
			s.auth.succeeded(attempt)
			return withCaller(r, caller{id: id, operator: true}), nil
		}
		s.auth.failed(attempt)
		return nil, errorf(http.StatusUnauthorized, "wrong client id or secret")
	}
	credential := s.auth.credential(id, secret)
	known := s.auth.verified(credential)
	if err := checkRequestText(r); err != nil {
		// Such a path or query cannot go into the policy request; it is refused once the
		// credentials are known to be right, so that it tells an unauthenticated caller nothing.
		verified, dbErr := s.q.PolicyVerifiedSecret(r.Context(), s.pool, gen.PolicyVerifiedSecretParams{ClientID: id, Secret: secret, Known: known})
		if dbErr != nil {
			return nil, dbErr
		}
		if verified == "" {
			return nil, s.authFailed(attempt, credential)
		}
		s.auth.succeededAs(attempt, credential, verified)
		return nil, err
	}
	request, err := policyRequest(r, rt, id)
	if err != nil {
		return nil, err
	}
	row, err := s.q.PolicyDecide(r.Context(), s.pool, gen.PolicyDecideParams{ClientID: id, Secret: secret, Request: request, Known: known})
	if err != nil {
		return nil, err
	}
	switch row.Decision {
	case "allowed":
		s.auth.succeededAs(attempt, credential, row.Verified)
		return withCaller(r, caller{id: id}), nil
	case "forbidden":
		s.auth.succeededAs(attempt, credential, row.Verified)
		return nil, errorf(http.StatusForbidden, "client %s is not allowed to %s %s", id, r.Method, r.URL.Path)
	default:
		return nil, s.authFailed(attempt, credential)
	}
}

// authorizeAnonymous decides on a request without credentials: a public request
// (policy.public_request: GET /fhir/metadata) passes as an anonymous caller, any other is 401.
// A path or query the database cannot take is 401 too, unasked.
func (s *Server) authorizeAnonymous(r *http.Request, rt route) (*http.Request, error) {
	unauthenticated := errorf(http.StatusUnauthorized, "authentication required: send HTTP Basic credentials or a Bearer token (POST /auth/token)")
	if checkRequestText(r) != nil {
		return nil, unauthenticated
	}
	request, err := policyRequest(r, rt, "")
	if err != nil {
		return nil, err
	}
	decision, err := s.q.PolicyDecideAnonymous(r.Context(), s.pool, request)
	if err != nil {
		return nil, err
	}
	if decision != "allowed" {
		return nil, unauthenticated
	}
	return withCaller(r, caller{anonymous: true}), nil
}

// tokenShape is what policy.token_issue makes: 32 random bytes in base64url, 43 characters.
// Anything else cannot be a token and is refused without asking the database.
var tokenShape = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// bearerToken is the token of an "Authorization: Bearer <token>" header (the scheme in any
// case, RFC 6750), and whether the request has one.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// authorizeBearer is authorize for a Bearer token: policy.decide_token checks the token, its
// scope and its client's AccessPolicies in one call. An unknown, expired, revoked or
// malformed token is 401 with the invalid_token challenge; a request outside the token's
// scope 403 with insufficient_scope (RFC 6750 section 3.1). No failure backoff: a token is
// 256 random bits, not something to guess.
func (s *Server) authorizeBearer(r *http.Request, rt route, token string) (*http.Request, error) {
	if !tokenShape.MatchString(token) {
		return nil, invalidToken("the Bearer token is malformed")
	}
	if err := checkRequestText(r); err != nil {
		// As for Basic: such a request is refused once the token is known to be good.
		clientID, dbErr := s.q.PolicyTokenClient(r.Context(), s.pool, token)
		if dbErr != nil {
			return nil, dbErr
		}
		if clientID == "" {
			return nil, invalidToken("the Bearer token is unknown, expired or revoked")
		}
		return nil, err
	}
	request, err := policyRequest(r, rt, "") // the client comes from the token, in SQL
	if err != nil {
		return nil, err
	}
	row, err := s.q.PolicyDecideToken(r.Context(), s.pool, gen.PolicyDecideTokenParams{Token: token, Request: request})
	if err != nil {
		return nil, err
	}
	switch {
	case row.Decision == "allowed":
		return withCaller(r, caller{id: row.ClientID, scope: pgtype.Text{String: row.Scope, Valid: true}}), nil
	case row.Decision == "forbidden" && !row.InScope:
		return nil, &httpError{Code: http.StatusForbidden, Challenge: `Bearer error="insufficient_scope"`,
			Message: fmt.Sprintf("the token's scope (%s) does not cover %s %s", row.Scope, r.Method, r.URL.Path)}
	case row.Decision == "forbidden":
		return nil, errorf(http.StatusForbidden, "client %s is not allowed to %s %s", row.ClientID, r.Method, r.URL.Path)
	default:
		return nil, invalidToken("the Bearer token is unknown, expired or revoked")
	}
}

// invalidToken is the 401 of a Bearer token that cannot be used.
func invalidToken(message string) error {
	return &httpError{Code: http.StatusUnauthorized, Message: message, Challenge: `Bearer error="invalid_token"`}
}

// authFailed books a failed authentication and returns its 401.
func (s *Server) authFailed(attempt failureKey, credential [sha256.Size]byte) error {
	s.auth.forget(credential)
	s.auth.failed(attempt)
	return errorf(http.StatusUnauthorized, "wrong client id or secret")
}

// routeParams are the policy request's params that the route alone sets: a query parameter of
// the same name never reaches a policy (POST /?resource/type=Patient is no Patient request).
var routeParams = []string{"resource/type", "resource/id"}

// policyRequest is the request object an AccessPolicy sees (docs/access.md, "The request
// object"); clientID "" is a request without credentials, whose client is null.
func policyRequest(r *http.Request, rt route, clientID string) ([]byte, error) {
	params := map[string]any{}
	for k, v := range r.URL.Query() {
		if len(v) == 1 {
			params[k] = v[0]
		} else {
			params[k] = v
		}
	}
	for _, k := range routeParams {
		delete(params, k)
	}
	if rt.resourceType != "" {
		params["resource/type"] = rt.resourceType
	}
	if rt.id != "" {
		params["resource/id"] = rt.id
	}
	var client any
	if clientID != "" {
		client = map[string]string{"id": clientID}
	}
	headers := map[string]string{}
	for k, v := range r.Header {
		if k == "Authorization" {
			continue // policies never see the secret
		}
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return json.Marshal(map[string]any{
		"uri":            r.URL.Path,
		"request-method": strings.ToLower(r.Method),
		"params":         params,
		"query-string":   r.URL.RawQuery,
		"headers":        headers,
		"client":         client,
	})
}

// storableText reports whether s can reach PostgreSQL as text: valid UTF-8 without NUL.
// Anything else would fail there with an error (22021) instead of the answer it deserves.
func storableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// checkRequestText refuses a path or query that PostgreSQL cannot take as text (400).
func checkRequestText(r *http.Request) error {
	if !storableText(r.URL.Path) {
		return errorf(http.StatusBadRequest, "the path holds a NUL character or invalid UTF-8")
	}
	if !storableText(r.URL.RawQuery) {
		return errorf(http.StatusBadRequest, "the query string holds a NUL character or invalid UTF-8")
	}
	for k, values := range r.URL.Query() {
		if !storableText(k) {
			return errorf(http.StatusBadRequest, "a query parameter name holds a NUL character or invalid UTF-8")
		}
		for _, v := range values {
			if !storableText(v) {
				return errorf(http.StatusBadRequest, "query parameter %q holds a NUL character or invalid UTF-8", k)
			}
		}
	}
	return nil
}

// remoteHost is the address a request came from, without its port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authGuard is the in-memory side of authentication: the verified-credential cache, which
// spares bcrypt to a client that authenticated moments ago, and the failure records that slow
// down guessing. Both are bounded LRUs; nothing in them is a secret or a hash.
type authGuard struct {
	cacheTTL    time.Duration // <0: no cache
	maxFailures int           // <0: no backoff
	backoffMax  time.Duration
	// key makes credential keys unguessable from outside this process.
	key []byte

	mu       sync.Mutex
	cache    *simplelru.LRU[[sha256.Size]byte, verifiedCredential]
	failures *simplelru.LRU[failureKey, *failureRecord]
}

// verifiedCredential is a credential verified by bcrypt: the fingerprint of the stored hash it
// matched (policy.secret_fingerprint), until expires.
type verifiedCredential struct {
	fingerprint string
	expires     time.Time
}

// failureKey is whose failures are counted: a client id from one remote address, so that
// guessing from one address does not lock the client out everywhere.
type failureKey struct {
	clientID, addr string
}

type failureRecord struct {
	failures     int
	blockedUntil time.Time
}

func newAuthGuard(cfg Config) *authGuard {
	g := &authGuard{cacheTTL: cfg.AuthCacheTTL, maxFailures: cfg.AuthMaxFailures, backoffMax: cfg.AuthBackoffMax, key: make([]byte, 32)}
	rand.Read(g.key)
	g.cache, _ = simplelru.NewLRU[[sha256.Size]byte, verifiedCredential](authCacheEntries, nil)
	g.failures, _ = simplelru.NewLRU[failureKey, *failureRecord](authFailureEntries, nil)
	return g
}

// credential is the cache key of (client id, secret): an HMAC under this process's key.
func (g *authGuard) credential(clientID, secret string) [sha256.Size]byte {
	mac := hmac.New(sha256.New, g.key)
	mac.Write([]byte(clientID))
	mac.Write([]byte{0})
	mac.Write([]byte(secret))
	var key [sha256.Size]byte
	copy(key[:], mac.Sum(nil))
	return key
}

// verified is the fingerprint to pass as policy.verified_secret's p_verified: that of a
// recent bcrypt success of exactly this credential, or null.
func (g *authGuard) verified(credential [sha256.Size]byte) pgtype.Text {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.cache.Get(credential)
	if !ok {
		return pgtype.Text{}
	}
	if time.Now().After(v.expires) {
		g.cache.Remove(credential)
		return pgtype.Text{}
	}
	return pgtype.Text{String: v.fingerprint, Valid: true}
}

// forget drops a credential from the cache.
func (g *authGuard) forget(credential [sha256.Size]byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cache.Remove(credential)
}

// blocked is how long attempt must still wait (0: it may try).
func (g *authGuard) blocked(attempt failureKey) time.Duration {
	if g.maxFailures < 0 {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	rec, ok := g.failures.Peek(attempt)
	if !ok {
		return 0
	}
	return time.Until(rec.blockedUntil)
}

// failed books a failed authentication: past maxFailures in a row, each failure blocks the
// attempt for a doubling time (authBackoffStart, then 2x, ... up to backoffMax).
func (g *authGuard) failed(attempt failureKey) {
	if g.maxFailures < 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	rec, ok := g.failures.Get(attempt)
	if !ok {
		rec = &failureRecord{}
		g.failures.Add(attempt, rec)
	}
	rec.failures++
	if over := rec.failures - g.maxFailures; over >= 0 {
		wait := g.backoffMax
		if over < 32 && authBackoffStart<<over < g.backoffMax {
			wait = authBackoffStart << over
		}
		rec.blockedUntil = time.Now().Add(wait)
	}
}

// succeeded clears the failures of attempt.
func (g *authGuard) succeeded(attempt failureKey) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failures.Remove(attempt)
}

// succeededAs is succeeded for a client the database verified: its credential is cached with
// the fingerprint the database returned.
func (g *authGuard) succeededAs(attempt failureKey, credential [sha256.Size]byte, fingerprint string) {
	g.succeeded(attempt)
	if g.cacheTTL < 0 || fingerprint == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cache.Add(credential, verifiedCredential{fingerprint: fingerprint, expires: time.Now().Add(g.cacheTTL)})
}
