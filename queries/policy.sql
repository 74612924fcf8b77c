-- name: PolicyDecide :one
-- decision 'allowed', 'forbidden' (authenticated, no policy matches) or 'unauthenticated';
-- verified, the fingerprint to cache for these credentials ('' unless authenticated).
-- verified in: a fingerprint this server cached for exactly these credentials, or null.
select d.decision::text as decision, coalesce(d.verified, '')::text as verified
from policy.decide(@client_id::text, @secret::text, @request::jsonb, sqlc.narg(known)::text) as d;

-- name: PolicyVerifiedSecret :one
-- Authentication alone (for a request the proxy refuses whatever the policies say): the
-- fingerprint to cache, or '' when the credentials are wrong.
select coalesce(policy.verified_secret(@client_id::text, @secret::text, sqlc.narg(known)::text), '')::text as verified;

-- name: PolicyRefusedEntries :many
-- The entries of a Bundle the client may not run (no policy allows the request the entry
-- stands for, or a token's scope does not cover it; guarded: it writes Client or
-- AccessPolicy), 0-based. scope: the token's, null for HTTP Basic.
select r.entry::int as entry, r.method::text as method, r.uri::text as uri, r.guarded::bool as guarded
from policy.refused_entries(@client_id::text, @request::jsonb, @entries::jsonb, sqlc.narg(scope)::text) as r;

-- name: PolicyRefusedItems :many
-- The same for the items of PUT /.
select r.entry::int as entry, r.method::text as method, r.uri::text as uri, r.guarded::bool as guarded
from policy.refused_items(@client_id::text, @request::jsonb, @resources::jsonb, sqlc.narg(scope)::text) as r;

-- name: PolicyDecideToken :one
-- A request with a Bearer token: decision 'allowed', 'forbidden' or 'unauthenticated' (unknown,
-- expired or revoked token); the token's client and scope (empty when unauthenticated), and
-- whether the scope covers the request.
select d.decision::text as decision, coalesce(d.client_id, '')::text as client_id,
       coalesce(d.scope, '')::text as scope, coalesce(d.in_scope, false)::bool as in_scope
from policy.decide_token(@token::text, @request::jsonb) as d;

-- name: PolicyTokenClient :one
-- Authentication alone of a Bearer token (for a request refused whatever the policies say):
-- its client, empty when the token is not live.
select coalesce((select t.client_id from policy.token_client(@token::text) as t), '')::text as client_id;

-- name: PolicyTokenSecret :one
-- The token endpoint's secret check: 'ok', 'invalid_client' or 'invalid_grant'.
select policy.token_secret(@client_id::text, @secret::text)::text as outcome;

-- name: PolicyClientKeys :one
-- A Client's SMART Backend Services keys (no row: no such Client).
select k.jwks::jsonb as jwks, coalesce(k.jwks_uri, '')::text as jwks_uri, k.client_credentials::bool as client_credentials
from policy.client_keys(@client_id::text) as k;

-- name: PolicyScopeGrant :one
-- The scope a token gets for the requested one (empty when none is understood: invalid_scope).
select coalesce(policy.scope_grant(sqlc.narg(requested)::text), '')::text as scope;

-- name: PolicyTokenIssue :one
-- A new access token, or empty when the assertion's jti was used before (or has expired).
select coalesce(policy.token_issue(@client_id::text, @scope::text, make_interval(secs => @lifetime_seconds::float8),
                                   sqlc.narg(jti)::text, sqlc.narg(jti_expires)::timestamptz), '')::text as access_token;
