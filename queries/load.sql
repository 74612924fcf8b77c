-- name: LoadStage :one
-- Creates the staging table of one load in the caller's transaction; its name, for the COPY.
select sluice.load_stage()::text as staging_table;

-- name: LoadMerge :one
-- Validates and merges the staged lines; the number written per type.
select sluice.load_merge(@types::text[], @fhir::boolean, @update::boolean, @strip_nulls::boolean,
                         sqlc.narg(merge)::jsonb)::jsonb as counts;

-- name: LoadTypeKnown :one
select exists (select from sluice.resource_type where name = @name::text) as known;

-- name: LoadProgressSet :exec
-- Names the loading backend for the rest of its transaction (see sluice.import_running).
select set_config('application_name', @name::text, true);

-- name: ImportCreate :one
select sluice.import_create(@type::text, @request::jsonb)::jsonb as status;

-- name: ImportStatus :one
select sluice.import_status(@id::text)::jsonb as status;

-- name: ImportCancel :one
select sluice.import_cancel(@id::text)::jsonb as status;

-- name: ImportInputClaim :one
-- The oldest waiting input of a job not cancelled, locked for the caller's transaction (the
-- one that loads it); inputs other transactions hold are skipped.
select i.key, i.job_id, i.resource_type, i.url, j.type, j.update
from sluice.import_input i
join sluice.import_job j on j.id = i.job_id
where i.status = 'waiting' and j.cancelled is null
order by i.key
limit 1
for update of i skip locked;

-- name: ImportJobActive :one
-- Whether the job is still wanted, holding it (FOR SHARE) until the caller commits, so a
-- cancel waits for an input that is being committed.
select (cancelled is null)::boolean as active from sluice.import_job where id = @id::text for share;

-- name: ImportJobCancelled :one
select (cancelled is not null)::boolean as cancelled from sluice.import_job where id = @id::text;

-- name: ImportInputFinish :exec
-- In the transaction that loaded the input, so the data and the status commit together.
update sluice.import_input
set status = 'finished', total = @total::bigint, duration = @duration::bigint,
    ts = clock_timestamp(), error = null
where key = @key::bigint;

-- name: ImportInputEnd :exec
-- After a failed or cancelled load was rolled back.
update sluice.import_input
set status = @status::text, error = sqlc.narg(error)::text, duration = @duration::bigint,
    ts = clock_timestamp()
where key = @key::bigint and status = 'waiting';
