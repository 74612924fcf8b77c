-- name: LoadStage :one
-- Creates the staging table of one load in the caller's transaction; its name, for the COPY.
select sluice.load_stage()::text as staging_table;

-- name: LoadMerge :one
-- Validates and merges the staged lines. counts is the number written per type as the $load
-- answer shows it ({"Patient": 10, ...}), total the number written of resource_type.
select coalesce(jsonb_object_agg(m.resource_type, m.written), '{}')::jsonb as counts,
       coalesce(sum(m.written) filter (where m.resource_type = @resource_type::text), 0)::bigint as total
from sluice.load_merge(@types::text[], @fhir::boolean, @update::boolean, @strip_nulls::boolean,
                       sqlc.narg(merge)::jsonb, @operator::boolean, @skip::boolean) as m;

-- name: LoadProblems :one
-- The bad lines of the load just merged with skip: their total and the first max_shown
-- ({"total": n, "problems": [{"line": n, "problem": text}]}); all of them kept for the $import
-- input input_key when it is not null.
select sluice.load_problems(@max_shown::int, sqlc.narg(input_key)::bigint)::jsonb as problems;

-- name: ImportErrors :many
-- The bad lines of one input of a job, as its client sees it (sluice.import_errors), one page.
select line_no::bigint as line_no, problem::text as problem
from sluice.import_errors(@id::text, sqlc.narg(client)::text, @position::int, @after::bigint, @max_rows::int);

-- name: LoadTypeInfo :one
-- Whether a type exists, and whether only the operator may load it.
select (sluice.resource_type_of(@name::text) is not null)::boolean as known,
       sluice.guards_access(@name::text) as guards_access;

-- name: ImportProgress :exec
-- How many lines backend pid, loading input key, has staged; from outside its transaction.
select sluice.import_progress(@key::bigint, @pid::int, @lines::bigint);

-- name: ImportCreate :one
-- client is the caller, here and below: its Client id, or null for the operator.
select sluice.import_create(@type::text, @request::jsonb, sqlc.narg(client)::text)::jsonb as status;

-- name: ImportStatus :one
select sluice.import_status(@id::text, sqlc.narg(client)::text)::jsonb as status;

-- name: ImportCancel :one
select sluice.import_cancel(@id::text, sqlc.narg(client)::text)::jsonb as status;

-- name: ImportInputClaim :one
-- A waiting input, claimed fairly across clients and locked for the caller's transaction (the
-- one that loads it); see sluice.import_claim.
with claimed as (select sluice.import_claim(sqlc.narg(per_client)::int) as key)
select i.key, i.job_id, i.resource_type, i.url, j.type, j.update, j.client_id,
       (j.request ->> 'on-error' is not distinct from 'skip')::boolean as skip
from claimed c
join sluice.import_input i on i.key = c.key
join sluice.import_job j on j.id = i.job_id;

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
