-- name: CapabilityStatement :one
-- The CapabilityStatement of GET /fhir/metadata; base is the server's FHIR base URL, token_url
-- its token endpoint.
select fhir.capability_statement(@base::text, @token_url::text)::jsonb as statement;

-- name: PolicyDecideAnonymous :one
-- The decision on a request without credentials: 'allowed' (a public request) or
-- 'unauthenticated'.
select policy.decide_anonymous(@request::jsonb)::text as decision;

-- name: ResourceVread :one
-- One version of a resource (vread); version_id and last_modified are for the ETag and
-- Last-Modified headers. SL404 unknown type, resource or version; SL410 a deleted version.
select r.resource::jsonb as resource, r.version_id::text as version_id, r.last_modified::timestamptz as last_modified
from sluice.resource_vread(@fhir::boolean, @resource_type::text, @id::text, @version::text) as r;

-- name: HistoryPage :one
-- One page of an instance's history, a Bundle as JSON text: at most count versions older than
-- before (null: from the newest), within max_bytes of entries.
select sluice.history_page(@fhir::boolean, @resource_type::text, @id::text, @base::text,
                           @count::int, sqlc.narg(before)::bigint, @max_bytes::bigint)::text as bundle;
