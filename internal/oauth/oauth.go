// Package oauth issues sluice's access tokens: the OAuth2 client_credentials grant of
// POST /auth/token, with a Client's secret (as Aidbox does) or with a SMART Backend Services
// assertion, a JWT the client signs with its private key (RS384 or ES384) and sluice checks
// against the Client's public keys (its inline jwks, or its jwks_uri fetched under the source
// policy of internal/source). Tokens, assertion ids and scopes live in PostgreSQL (policy
// schema, migrations/000010_tokens.up.sql): this package checks what needs Go (the JOSE
// signature, by github.com/go-jose/go-jose/v4) and asks SQL for the rest.
//
// It also describes the token endpoint for discovery (Discovery): the SMART configuration and
// the CapabilityStatement's security section are made from it.
package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/source"
	"github.com/sluice-fhir/sluice/internal/status"
)

// TokenPath is where the token endpoint is served; the aud of an assertion is the server's
// base URL with it.
const TokenPath = "/auth/token"

// The OAuth2 values of the client_credentials grant and of SMART Backend Services.
const (
	GrantClientCredentials = "client_credentials"
	AssertionType          = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// SigningAlgorithms are the assertion algorithms accepted, the ones SMART Backend Services
// names. The list is the whole allow-list given to the JOSE parser: alg none, the HMAC
// algorithms (whose "secret" could be the public key everyone knows) and everything else
// are refused before any key is looked at.
var SigningAlgorithms = []jose.SignatureAlgorithm{jose.RS384, jose.ES384}

// Bounds of an assertion and of fetching a Client's jwks_uri.
const (
	// MaxAssertionLifetime: an assertion's exp may be at most this far ahead (SMART: five
	// minutes), so a leaked one is useless soon and its jti is kept briefly.
	MaxAssertionLifetime = 5 * time.Minute
	// clockSkew is the allowance for a client clock a little ahead of ours, on that bound only.
	clockSkew = 10 * time.Second
	// maxJTI bounds the jti kept per assertion.
	maxJTI = 256
	// jwksTimeout and jwksMaxBytes bound a jwks_uri fetch.
	jwksTimeout  = 10 * time.Second
	jwksMaxBytes = 64 << 10
)

// Error is an OAuth2 error answer (RFC 6749 section 5.2): Code is the error parameter
// (invalid_request, invalid_client, invalid_grant, invalid_scope, unsupported_grant_type),
// Description its error_description, Status 400 or 401.
type Error struct {
	Status      int
	Code        string
	Description string
	// RetryAfter, when positive, is sent as Retry-After (a client id that failed too often).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func oauthError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Description: fmt.Sprintf(format, args...)}
}

// InvalidClient is the 401 of a client that could not be authenticated.
func InvalidClient(format string, args ...any) *Error {
	return oauthError(http.StatusUnauthorized, "invalid_client", format, args...)
}

// InvalidRequest is the 400 of a request that is not a well-formed token request.
func InvalidRequest(format string, args ...any) *Error {
	return oauthError(http.StatusBadRequest, "invalid_request", format, args...)
}

// UnsupportedGrantType is the 400 of a grant_type other than client_credentials.
func UnsupportedGrantType(grantType string) *Error {
	return oauthError(http.StatusBadRequest, "unsupported_grant_type", "grant_type %q is not supported: use %s", grantType, GrantClientCredentials)
}

// Token is a successful answer: the JSON fields of RFC 6749 section 5.1.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// Issuer checks client credentials and issues tokens.
type Issuer struct {
	pool     *pgxpool.Pool
	q        *gen.Queries
	sources  *source.Fetcher
	lifetime time.Duration
	now      func() time.Time
}

// NewIssuer returns an Issuer of tokens valid for lifetime, fetching jwks_uri through sources.
func NewIssuer(pool *pgxpool.Pool, q *gen.Queries, sources *source.Fetcher, lifetime time.Duration) *Issuer {
	return &Issuer{pool: pool, q: q, sources: sources, lifetime: lifetime, now: time.Now}
}

// BySecret is the grant with the Client's secret: an unknown client or a wrong secret is
// invalid_client, a Client without client_credentials in its grant_types invalid_grant.
func (i *Issuer) BySecret(ctx context.Context, clientID, secret, scope string) (Token, error) {
	outcome, err := i.q.PolicyTokenSecret(ctx, i.pool, gen.PolicyTokenSecretParams{ClientID: clientID, Secret: secret})
	if err != nil {
		return Token{}, err
	}
	switch outcome {
	case "ok":
	case "invalid_grant":
		return Token{}, notAllowedGrant(clientID)
	default:
		return Token{}, InvalidClient("wrong client id or secret")
	}
	return i.issue(ctx, clientID, scope, pgtype.Text{}, pgtype.Timestamptz{})
}

// notAllowedGrant is the answer to a client that proved who it is but may not use this grant.
func notAllowedGrant(clientID string) *Error {
	return oauthError(http.StatusBadRequest, "invalid_grant", "client %s may not use the %s grant (its grant_types)", clientID, GrantClientCredentials)
}

// ByAssertion is the SMART Backend Services grant: assertion is the client's JWT, tokenURL
// the URL the client was meant to send it to (its aud), namedClient the request's client_id
// when it sent one (then it must be the assertion's iss, RFC 7523 section 3.2). Every way it
// can fail is invalid_client (RFC 7523 section 3.2 and SMART say so for a client assertion),
// but for a client that authenticated and may not use the grant (invalid_grant); nothing is
// written unless a token is issued.
func (i *Issuer) ByAssertion(ctx context.Context, assertion, namedClient, scope, tokenURL string) (Token, error) {
	token, err := jwt.ParseSigned(assertion, SigningAlgorithms)
	if err != nil {
		return Token{}, InvalidClient("client_assertion is not a JWS signed with %s: %s", algorithmNames(), joseMessage(err))
	}
	var unverified jwt.Claims
	if err := token.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return Token{}, InvalidClient("client_assertion claims are not a JSON object of JWT claims")
	}
	clientID := unverified.Issuer
	if clientID == "" || unverified.Subject != clientID {
		return Token{}, InvalidClient("client_assertion: iss and sub must both be the client id")
	}
	if namedClient != "" && namedClient != clientID {
		return Token{}, InvalidClient("client_id %s is not the client_assertion's iss", namedClient)
	}
	keys, err := i.clientKeys(ctx, clientID)
	if err != nil {
		return Token{}, err
	}
	claims, err := verify(token, keys)
	if err != nil {
		return Token{}, err
	}
	if claims.Issuer != clientID || claims.Subject != clientID {
		return Token{}, InvalidClient("client_assertion: iss and sub must both be the client id") // the signed claims, not the peeked ones
	}
	if !claims.Audience.Contains(tokenURL) {
		return Token{}, InvalidClient("client_assertion: aud must be the token endpoint %s", tokenURL)
	}
	now := i.now()
	switch {
	case claims.Expiry == nil:
		return Token{}, InvalidClient("client_assertion has no exp")
	case !claims.Expiry.Time().After(now):
		return Token{}, InvalidClient("client_assertion has expired")
	case claims.Expiry.Time().After(now.Add(MaxAssertionLifetime + clockSkew)):
		return Token{}, InvalidClient("client_assertion: exp is more than %v ahead", MaxAssertionLifetime)
	}
	if claims.ID == "" || len(claims.ID) > maxJTI {
		return Token{}, InvalidClient("client_assertion needs a jti of 1 to %d characters", maxJTI)
	}
	if !keys.clientCredentials {
		return Token{}, notAllowedGrant(clientID)
	}
	return i.issue(ctx, clientID, scope, pgtype.Text{String: claims.ID, Valid: true},
		pgtype.Timestamptz{Time: claims.Expiry.Time(), Valid: true})
}

// issue grants scope (invalid_scope when none of it is understood) and stores a new token.
func (i *Issuer) issue(ctx context.Context, clientID, requested string, jti pgtype.Text, jtiExpires pgtype.Timestamptz) (Token, error) {
	granted, err := i.q.PolicyScopeGrant(ctx, i.pool, pgtype.Text{String: requested, Valid: requested != ""})
	if err != nil {
		return Token{}, err
	}
	if granted == "" {
		return Token{}, oauthError(http.StatusBadRequest, "invalid_scope",
			"scope %q holds no scope sluice grants: system/<type or *>.<read|write|*> (SMART v1) or .<cruds letters> (v2)", requested)
	}
	accessToken, err := i.q.PolicyTokenIssue(ctx, i.pool, gen.PolicyTokenIssueParams{ClientID: clientID, Scope: granted,
		LifetimeSeconds: i.lifetime.Seconds(), Jti: jti, JtiExpires: jtiExpires})
	if err != nil {
		return Token{}, err
	}
	if accessToken == "" {
		return Token{}, InvalidClient("client_assertion: its jti was used before (or, by the database's clock, it has expired)")
	}
	return Token{AccessToken: accessToken, TokenType: "Bearer", ExpiresIn: int(i.lifetime.Seconds()), Scope: granted}, nil
}

// clientKeys are a Client's public keys for assertions.
type clientKeys struct {
	set               jose.JSONWebKeySet
	clientCredentials bool
}

// clientKeys reads Client clientID's keys: its inline jwks, else its jwks_uri fetched now.
func (i *Issuer) clientKeys(ctx context.Context, clientID string) (clientKeys, error) {
	row, err := i.q.PolicyClientKeys(ctx, i.pool, clientID)
	if errors.Is(err, pgx.ErrNoRows) {
		return clientKeys{}, InvalidClient("no client %s with keys for client_assertion", clientID)
	}
	if err != nil {
		return clientKeys{}, err
	}
	keys := clientKeys{clientCredentials: row.ClientCredentials}
	raw := row.Jwks
	switch {
	case len(raw) > 0 && string(raw) != "null":
	case row.JwksUri != "":
		if raw, err = i.fetchJWKS(ctx, row.JwksUri); err != nil {
			return clientKeys{}, err
		}
	default:
		return clientKeys{}, InvalidClient("client %s has neither jwks nor jwks_uri for client_assertion", clientID)
	}
	if err := json.Unmarshal(raw, &keys.set); err != nil {
		return clientKeys{}, InvalidClient("the JWK set of client %s does not parse: %s", clientID, joseMessage(err))
	}
	return keys, nil
}

// fetchJWKS GETs a jwks_uri under the source policy ($load's: the allow-list, public
// addresses unless allowed, redirects only to http(s)), within jwksTimeout and jwksMaxBytes.
func (i *Issuer) fetchJWKS(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, InvalidClient("jwks_uri %s is not an http(s) URL", source.RedactURL(rawURL))
	}
	ctx, cancel := context.WithTimeout(ctx, jwksTimeout)
	defer cancel()
	body, err := i.sources.Open(ctx, rawURL)
	if err != nil {
		return nil, InvalidClient("jwks_uri: %s", sourceMessage(err))
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, jwksMaxBytes+1))
	if err != nil {
		return nil, InvalidClient("jwks_uri: %s", sourceMessage(err))
	}
	if len(data) > jwksMaxBytes {
		return nil, InvalidClient("jwks_uri %s: the JWK set is larger than %d bytes", source.RedactURL(rawURL), jwksMaxBytes)
	}
	return data, nil
}

// sourceMessage is what a failed jwks_uri fetch says: internal/source's own errors (which name
// the URL redacted, and quote nothing the source sent), else that it did not answer in time.
func sourceMessage(err error) string {
	var se *status.Error
	if errors.As(err, &se) {
		return se.Message
	}
	return fmt.Sprintf("no JWK set within %v", jwksTimeout)
}

// verify checks the assertion's signature with the client's keys: those with the kid of its
// header when it names one, else all; of a type that fits the algorithm (RSA of at least
// 2048 bits for RS384, P-384 for ES384), with no other use or alg declared. The claims come
// from the verified payload only.
func verify(token *jwt.JSONWebToken, keys clientKeys) (jwt.Claims, error) {
	header := token.Headers[0]
	candidates := keys.set.Keys
	if header.KeyID != "" {
		candidates = keys.set.Key(header.KeyID)
	}
	for _, key := range candidates {
		if (key.Use != "" && key.Use != "sig") || (key.Algorithm != "" && key.Algorithm != header.Algorithm) {
			continue
		}
		public := key.Public()
		if !fits(public.Key, jose.SignatureAlgorithm(header.Algorithm)) {
			continue
		}
		if token.Claims(public.Key) != nil {
			continue
		}
		// Verified: the payload read without verification is the one just verified.
		var claims jwt.Claims
		if err := token.UnsafeClaimsWithoutVerification(&claims); err != nil {
			return jwt.Claims{}, InvalidClient("client_assertion claims do not parse: %s", joseMessage(err))
		}
		return claims, nil
	}
	return jwt.Claims{}, InvalidClient("client_assertion: the signature does not verify with a key of the client's JWK set")
}

// fits reports whether key is a public key for alg.
func fits(key any, alg jose.SignatureAlgorithm) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS384 && k.N.BitLen() >= 2048
	case *ecdsa.PublicKey:
		return alg == jose.ES384 && k.Curve == elliptic.P384()
	}
	return false
}

// joseMessage is a parse error in words that do not quote the input back at length.
func joseMessage(err error) string {
	message := err.Error()
	message = strings.TrimPrefix(message, "go-jose/go-jose: ")
	if len(message) > 200 {
		message = message[:200] + "..."
	}
	return message
}

// algorithms are the names of SigningAlgorithms.
func algorithms() []string {
	names := make([]string, len(SigningAlgorithms))
	for i, alg := range SigningAlgorithms {
		names[i] = string(alg)
	}
	return names
}

func algorithmNames() string { return strings.Join(algorithms(), " or ") }

// Configuration is the SMART configuration of a server (SMART App Launch 2.x, "Conformance";
// the fields a backend services client reads), served at /fhir/.well-known/smart-configuration.
type Configuration struct {
	TokenEndpoint                         string   `json:"token_endpoint"`
	GrantTypesSupported                   []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported     []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgsSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	ScopesSupported                       []string `json:"scopes_supported"`
	Capabilities                          []string `json:"capabilities"`
}

// Discovery describes the token endpoint of the server at baseURL (scheme, host and port, no
// trailing slash): the one description both the SMART configuration and the
// CapabilityStatement's security section are made from.
func Discovery(baseURL string) Configuration {
	return Configuration{
		TokenEndpoint:                         baseURL + TokenPath,
		GrantTypesSupported:                   []string{GrantClientCredentials},
		TokenEndpointAuthMethodsSupported:     []string{"private_key_jwt", "client_secret_basic"},
		TokenEndpointAuthSigningAlgsSupported: algorithms(),
		// the wildcard forms; each also exists per resource type (system/Patient.rs, ...)
		ScopesSupported: []string{"system/*.read", "system/*.write", "system/*.*", "system/*.rs", "system/*.cruds"},
		Capabilities:    []string{"client-confidential-asymmetric"},
	}
}
