-- name: RequestRun :one
-- One REST request on one resource (POST /<type>, GET|PUT|DELETE /<type>/<id>), run as a
-- one-entry batch so plain REST and Bundles share sluice.entry_run's semantics. With fhir, the
-- resource goes in and comes out in FHIR format. status is the HTTP status, a number.
select r.resource::jsonb as resource, r.http_status::int as status, r.location::text as location
from sluice.request_run(@fhir::boolean, jsonb_build_object(
       'request', jsonb_build_object('method', @method::text, 'url', @url::text),
       'resource', sqlc.narg(resource)::jsonb)) as r;

-- name: BundleEntry :one
-- One entry of a transaction or batch Bundle; the caller holds the transaction.
select case when @fhir::boolean then fhir.bundle_entry(@entry::jsonb)
            else sluice.bundle_entry(@entry::jsonb) end::jsonb as response;

-- name: ResourcesPut :one
-- PUT / with an array of resources, upserted in one transaction.
select sluice.resources_put(@resources::jsonb)::jsonb as resources;

-- name: ToFormat :one
-- POST /to-format/fhir (an Aidbox-format resource to FHIR) and /to-format/aidbox (FHIR to
-- Aidbox format): the conversion loads and $dump use, the type's Attributes included. An
-- unknown resourceType is SL404 (sluice.table_of), as on every other route.
select case when sluice.table_of(r.body ->> 'resourceType') is null then null
            when @to_fhir::boolean then fhir.to_fhir(r.body)
            else fhir.from_fhir(r.body) end::jsonb as resource
from (select @resource::jsonb as body) as r;

-- name: PatientPurge :one
-- POST /fhir/Patient/<id>/$purge: the patient and its compartment, history included; the
-- resources removed per type.
select sluice.patient_purge(@patient::text)::jsonb as removed;
