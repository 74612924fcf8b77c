-- name: RequestRun :one
-- One REST request on one resource (POST /<type>, GET|PUT|DELETE /<type>/<id>), run as a
-- one-entry batch so plain REST and Bundles share sluice.bundle_entry's semantics. With
-- fhir, the resource goes in and comes out in FHIR format (fhir.bundle_entry).
select (r.e -> 'resource')::jsonb as resource,
       (r.e #>> '{response,status}')::text as status,
       (r.e #>> '{response,location}')::text as location
from (select case when @fhir::boolean then fhir.bundle_entry(x.entry) else sluice.bundle_entry(x.entry) end as e
      from (select jsonb_build_object(
              'request', jsonb_build_object('method', @method::text, 'url', @url::text),
              'resource', sqlc.narg(resource)::jsonb) as entry) as x) as r;

-- name: BundleEntry :one
-- One entry of a transaction or batch Bundle; the caller holds the transaction.
select case when @fhir::boolean then fhir.bundle_entry(@entry::jsonb)
            else sluice.bundle_entry(@entry::jsonb) end::jsonb as response;

-- name: ResourcesPut :one
-- PUT / with an array of resources, upserted in one transaction.
select sluice.resources_put(@resources::jsonb)::jsonb as resources;
