-- Resources from psql: the functions behind the REST API (README "In SQL").
-- Each resource lives in its type's table (public.patient, public.patient_history); meta's
-- versionId, lastUpdated and createdAt come from the row, so the examples below show the body
-- without meta (meta - ... ) and only check that the server's fields are there.
\set SHOW_CONTEXT never

-- Which compression resource bodies get: lz4 when PostgreSQL was built with it, else pglz.
select sluice.body_compression() in ('lz4', 'pglz') as known_compression;

-- PUT /Patient/pt-9: create or replace. The id from the URL (second argument) wins over the
-- body's; a body without id takes it.
select sluice.resource_write('Patient', 'pt-9', '{"name":[{"given":["Eve"]}]}', 'update') - 'meta' as written;

-- The row as stored: the body without id, resourceType and the server's meta fields.
select id, resource_type, status, resource from patient where id = 'pt-9';

-- GET /Patient/pt-9: the full resource, meta put back from the row.
select sluice.resource_read('Patient', 'pt-9') - 'meta' as body,
       sluice.resource_read('Patient', 'pt-9') -> 'meta' ?& array['versionId', 'lastUpdated', 'createdAt'] as has_meta;

-- A second PUT replaces the resource; the previous version goes to history.
select sluice.resource_write('Patient', 'pt-9', '{"name":[{"given":["Eve","Anne"]}],"gender":"female"}', 'update') - 'meta' as written;
select status, resource from patient where id = 'pt-9';
select status, resource from patient_history where id = 'pt-9' order by txid;

-- resource_write_status also says what the write did: created, updated or recreated.
select status, resource - 'meta' as resource
from sluice.resource_write_status('Patient', 'pt-10', '{"active":true}', 'update');
select status from sluice.resource_write_status('Patient', 'pt-10', '{"active":false}', 'update');

-- POST /Patient: 'create' keeps the body's id, or generates one when there is none.
select sluice.resource_write('Patient', null, '{"id":"pt-11","active":true}', 'create') - 'meta' as created;
select sluice.is_valid_id(sluice.resource_write('Patient', null, '{"active":true}', 'create') ->> 'id') as generated_id_is_valid;

-- DELETE /Patient/pt-10: returns the deleted resource; its history gets a 'deleted' tombstone.
select sluice.resource_delete('Patient', 'pt-10') - 'meta' as deleted;
select status from patient_history where id = 'pt-10' order by txid;
-- Writing the id again records it as recreated.
select status from sluice.resource_write_status('Patient', 'pt-10', '{"active":true}', 'update');

-- PUT /: many resources of any types in one call (and one transaction).
select jsonb_path_query_array(sluice.resources_put('[
  {"resourceType":"Patient","id":"pt-12"},
  {"resourceType":"Observation","id":"obs-1","status":"final","subject":{"resourceType":"Patient","id":"pt-12"}}
]'), '$[*].id') as put_ids;

-- Errors: each is an SQLSTATE of sluice's own (SL4xx, the HTTP status it answers with).
-- An id that breaks the id rule (1 to 64 letters, digits, "-" and "."):
select sluice.resource_write('Patient', 'no spaces', '{}', 'update');
\echo :LAST_ERROR_SQLSTATE
-- A body's id that is not the URL's:
select sluice.resource_write('Patient', 'pt-9', '{"id":"pt-99"}', 'update');
-- A body that is not an object (wrong type):
select sluice.resource_write('Patient', 'pt-9', '[1,2]', 'update');
-- A body of another type:
select sluice.resource_write('Patient', 'pt-9', '{"resourceType":"Observation"}', 'update');
-- A POST of an id that exists:
select sluice.resource_write('Patient', null, '{"id":"pt-9"}', 'create');
\echo :LAST_ERROR_SQLSTATE
-- A type that does not exist:
select sluice.resource_read('Patientt', 'pt-9');
\echo :LAST_ERROR_SQLSTATE
-- An id that does not exist:
select sluice.resource_read('Patient', 'nobody');
\echo :LAST_ERROR_SQLSTATE
select sluice.resource_delete('Patient', 'nobody');
-- PUT / needs an array:
select sluice.resources_put('{"resourceType":"Patient","id":"pt-13"}');
-- Not JSON at all: PostgreSQL's own error for the jsonb argument.
select sluice.resource_write('Patient', 'pt-9', 'not json', 'update');
