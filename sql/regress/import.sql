-- $import jobs from psql: sluice.import_create makes a job (a row per input, run by the
-- server's workers), sluice.import_status shows it as a BulkImportStatus resource, and
-- sluice.import_cancel cancels what has not run. The last argument is the client the job
-- belongs to (null: the operator); another client's job is not found.
\set SHOW_CONTEXT never

-- A job of bulk-client with two inputs. The status shows times (not shown here) and, per
-- input, its state; no server runs here, so the inputs wait.
select jsonb_pretty(s - 'time') as status, s -> 'time' ? 'start' as has_start
from sluice.import_create('fhir', '{"id":"synthea","contentEncoding":"gzip","inputs":[
  {"resourceType":"Patient","url":"http://files.local/Patient.ndjson.gz"},
  {"resourceType":"Encounter","url":"https://user:pw@files.local/Encounter.ndjson.gz?sig=abc"}]}', 'bulk-client') as s;

-- The rows behind it.
select id, type, content_encoding, update, client_id, cancelled is null as not_cancelled from sluice.import_job;
select job_id, position, resource_type, status from sluice.import_input order by position;

-- Its status, for its client and for the operator (null).
select sluice.import_status('synthea', 'bulk-client') ->> 'status' as for_client,
       sluice.import_status('synthea', null) ->> 'status' as for_operator;

-- A generated id when the body has none.
select sluice.is_valid_id(sluice.import_create('aidbox', '{"inputs":[{"resourceType":"Patient","url":"http://x/p.ndjson"}]}', null) ->> 'id') as generated_id;

-- Cancel: the waiting inputs become cancelled, and so does the job.
select s ->> 'status' as status, jsonb_path_query_array(s, '$.inputs[*].status') as inputs, s -> 'time' ? 'end' as has_end
from sluice.import_cancel('synthea', 'bulk-client') as s;

-- Errors. Another client's job, and a job that does not exist (SL404):
select sluice.import_status('synthea', 'other-client');
\echo :LAST_ERROR_SQLSTATE
select sluice.import_cancel('nope', null);
-- An id in use (SL409):
select sluice.import_create('fhir', '{"id":"synthea","inputs":[{"resourceType":"Patient","url":"http://x"}]}', null);
\echo :LAST_ERROR_SQLSTATE
-- Bodies the workers could not run (SL422): a bad id, no inputs, an unknown type, update not a boolean.
select sluice.import_create('fhir', '{"id":"a b","inputs":[{"resourceType":"Patient","url":"http://x"}]}', null);
select sluice.import_create('fhir', '{"id":"j2","inputs":[]}', null);
select sluice.import_create('fhir', '{"id":"j2","inputs":[{"resourceType":"Patientt","url":"http://x"}]}', null);
select sluice.import_create('fhir', '{"id":"j2","inputs":[{"resourceType":"Patient"}]}', null);
select sluice.import_create('fhir', '{"id":"j2","update":"yes","inputs":[{"resourceType":"Patient","url":"http://x"}]}', null);
\echo :LAST_ERROR_SQLSTATE
-- A type that grants access, imported by a client (SL403, a policy refusal):
select sluice.import_create('fhir', '{"id":"j3","inputs":[{"resourceType":"AccessPolicy","url":"http://x"}]}', 'bulk-client');
\echo :LAST_ERROR_SQLSTATE
-- Nothing of the failed calls was kept:
select count(*) as jobs from sluice.import_job;
