-- Versions from psql: the functions behind vread (GET <type>/<id>/_history/<vid>) and history
-- (GET <type>/<id>/_history). A version's id is the txid of the write that made it; the live
-- row is the newest version, <type>_history holds the older ones and a 'deleted' tombstone per
-- delete. Times differ from run to run, so the examples leave them out.
\set SHOW_CONTEXT never

-- Four versions of Patient/pt-h: created, updated, deleted, written again (recreated).
select sluice.resource_write('Patient', 'pt-h', '{"name":[{"given":["A"]}]}', 'update') #>> '{meta,versionId}' as v1;
select sluice.resource_write('Patient', 'pt-h', '{"name":[{"given":["B"]}]}', 'update') #>> '{meta,versionId}' as v2;
select sluice.resource_delete('Patient', 'pt-h') ->> 'id' as deleted;
select sluice.resource_write('Patient', 'pt-h', '{"name":[{"given":["C"]}]}', 'update') #>> '{meta,versionId}' as v4;

-- Every version, newest first: the live row and the history rows.
select txid, status, resource from sluice.resource_versions('Patient', 'pt-h', null, 10);
-- Older than version 3, at most one.
select txid, status from sluice.resource_versions('Patient', 'pt-h', 3, 1);

-- vread: one version in Aidbox or FHIR format, with what the ETag and Last-Modified say.
select resource - 'meta' as resource, resource #>> '{meta,versionId}' as meta_version, version_id,
       last_modified = (resource #>> '{meta,lastUpdated}')::timestamptz as last_modified_is_meta
from sluice.resource_vread(false, 'Patient', 'pt-h', '2');
select resource - 'meta' as resource, resource -> 'meta' ? 'createdAt' as aidbox_meta
from sluice.resource_vread(true, 'Patient', 'pt-h', '1');
-- The deletion (410), versions and resources that do not exist (404).
select sluice.resource_vread(false, 'Patient', 'pt-h', '3');
\echo :LAST_ERROR_SQLSTATE
select sluice.resource_vread(false, 'Patient', 'pt-h', '99');
\echo :LAST_ERROR_SQLSTATE
select sluice.resource_vread(false, 'Patient', 'pt-h', 'x');
select sluice.resource_vread(false, 'Patient', 'nobody', '1');
select sluice.resource_vread(false, 'NoSuchType', 'pt-h', '1');
\echo :LAST_ERROR_SQLSTATE
select sluice.version_number('12') as twelve, sluice.version_number('1x') as not_a_number,
       sluice.version_number('9999999999999999999') as too_long;

-- One entry per version: request and response say which write made it; a deletion has no
-- resource.
select e -> 'request' as request, e -> 'response' ->> 'status' as status, e -> 'response' ->> 'etag' as etag,
       e ? 'resource' as has_resource, e ->> 'fullUrl' as full_url
from sluice.resource_versions('Patient', 'pt-h', null, 10) v,
     lateral (select sluice.history_entry('http://h/fhir', 'Patient', 'pt-h', v.txid, v.ts, v.status,
                                          '{}')::jsonb) as h(e);

-- A page of the history as a Bundle (FHIR format, base http://h/fhir): two versions, and a
-- next link to the older ones.
select b ->> 'type' as type, b -> 'link' as link,
       jsonb_path_query_array(b, '$.entry[*].response.etag') as etags
from (select sluice.history_page(true, 'Patient', 'pt-h', 'http://h/fhir', 2, null, 1048576)::jsonb) as p(b);
-- The next page, in Aidbox format: the last two, no next link.
select b -> 'link' as link, jsonb_path_query_array(b, '$.entry[*].resource.name') as names
from (select sluice.history_page(false, 'Patient', 'pt-h', 'http://h', 2, 2, 1048576)::jsonb) as p(b);
-- A page also ends before its entries would pass p_max_bytes (the first always fits).
select jsonb_array_length(b -> 'entry') as entries, b #>> '{link,1,url}' as next
from (select sluice.history_page(true, 'Patient', 'pt-h', 'http://h/fhir', 10, null, 1)::jsonb) as p(b);
-- Past the last version: an empty page. A resource without versions, a bad id, an unknown
-- type: 404; _count below 1: 400.
select sluice.history_page(true, 'Patient', 'pt-h', 'http://h/fhir', 10, 1, 1048576)::jsonb -> 'entry' as entries;
select sluice.history_page(true, 'Patient', 'nobody', 'http://h/fhir', 10, null, 1048576);
select sluice.history_page(true, 'Patient', 'a b', 'http://h/fhir', 10, 5, 1048576);
select sluice.history_page(true, 'NoSuchType', 'pt-h', 'http://h/fhir', 10, null, 1048576);
\echo :LAST_ERROR_SQLSTATE
select sluice.history_page(true, 'Patient', 'pt-h', 'http://h/fhir', 0, null, 1048576);
\echo :LAST_ERROR_SQLSTATE

-- A Client's versions never show its secret.
select sluice.resource_write('Client', 'c-1', '{"secret":"s1","grant_types":["basic"]}', 'update') ? 'secret' as has_secret;
select sluice.resource_write('Client', 'c-1', '{"secret":"s2","grant_types":["basic"]}', 'update') ? 'secret' as has_secret;
select position('secret' in sluice.history_page(false, 'Client', 'c-1', 'http://h', 10, null, 1048576)) as secret_at,
       position('secret' in sluice.history_page(true, 'Client', 'c-1', 'http://h/fhir', 10, null, 1048576)) as fhir_secret_at;
