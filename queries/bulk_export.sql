-- The $export jobs (migrations/000009_bulk_export.up.sql). client is the caller, as for
-- $import: its Client id, or null for the operator.

-- name: ExportCreate :one
select sluice.export_create(@params::jsonb, sqlc.narg(client)::text, @max_jobs::int)::text as id;

-- name: ExportStatus :one
select sluice.export_status(@id::text, sqlc.narg(client)::text, @base::text)::jsonb as status;

-- name: ExportFile :exec
select sluice.export_file(@id::text, sqlc.narg(client)::text, @name::text);

-- name: ExportCancel :one
-- The id when the job was deleted now (its files are the caller's to remove), else ''.
select coalesce(sluice.export_cancel(@id::text, sqlc.narg(client)::text), '')::text as deleted;

-- name: ExportHorizon :one
-- Before the worker's transaction begins: the transaction time of its snapshot.
select h.horizon::timestamptz as horizon, h.read_at::timestamptz as read_at from sluice.export_horizon() h;

-- name: ExportClaim :one
-- In the worker's repeatable-read transaction, which then holds the job and its snapshot.
select c.job_id::text as job_id, c.transaction_time::timestamptz as transaction_time
from sluice.export_claim(@horizon::timestamptz, @read_at::timestamptz) c;

-- name: ExportRestart :exec
select sluice.export_restart(@id::text);

-- name: ExportParts :many
-- In the claiming transaction: empty is as of the job's snapshot.
select p.kind::text as kind, p.resource_type::text as resource_type, p.empty::boolean as empty
from sluice.export_parts(@id::text) p;

-- name: ExportPartsEmpty :exec
select sluice.export_parts_empty(@id::text, @kinds::text[], @resource_types::text[]);

-- name: ExportQuery :one
select sluice.export_query(@id::text, @kind::text, @resource_type::text, @transaction_time::timestamptz)::text as query;

-- name: ExportPartDone :exec
select sluice.export_part_done(@id::text, @kind::text, @resource_type::text, @files::jsonb);

-- name: ExportFinish :exec
select sluice.export_finish(@id::text, @transaction_time::timestamptz, @keep::interval);

-- name: ExportFail :exec
select sluice.export_fail(@id::text, @error::text, @transient::boolean);

-- name: ExportForget :exec
select sluice.export_forget(@id::text);

-- name: ExportCancelled :one
select sluice.export_cancelled(@id::text)::boolean as cancelled;

-- name: ExportExpire :many
select e::text as id from sluice.export_expire() e;

-- name: ExportSnapshot :one
select pg_export_snapshot()::text as snapshot;
