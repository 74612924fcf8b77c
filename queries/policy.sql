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
-- stands for; guarded: it writes Client or AccessPolicy), 0-based.
select r.entry::int as entry, r.method::text as method, r.uri::text as uri, r.guarded::bool as guarded
from policy.refused_entries(@client_id::text, @request::jsonb, @entries::jsonb) as r;

-- name: PolicyRefusedItems :many
-- The same for the items of PUT /.
select r.entry::int as entry, r.method::text as method, r.uri::text as uri, r.guarded::bool as guarded
from policy.refused_items(@client_id::text, @request::jsonb, @resources::jsonb) as r;
