-- A bulk load from psql, as $load runs it: in one transaction, create the load's staging table
-- (sluice.load_stage returns its name), fill it with the lines, and merge them into the
-- resource tables (sluice.load_merge returns a row per type: how many it wrote). Within a
-- load the last line for an id wins; a failing merge leaves nothing behind.
\set SHOW_CONTEXT never
-- load_stage drops a leftover table of this backend first; its "does not exist" notice
-- would name the backend's pid.
set client_min_messages = warning;

-- Aidbox-format lines: `resource` holds the body as the table stores it (no id, resourceType
-- or meta), the other columns what was taken out of the line. line_no is the line of the
-- source, named by errors.
begin;
select sluice.load_stage() as stage \gset
copy :stage (line_no, resource_type, id, resource) from stdin;
1	Patient	pt-1	{"name": [{"given": ["Ann"]}]}
2	Patient	pt-2	{"gender": "male"}
3	Observation	obs-1	{"status": "final", "subject": {"id": "pt-1", "resourceType": "Patient"}}
4	Patient	pt-1	{"name": [{"given": ["Anne"]}]}
\.
-- Arguments: types (null: all staged), FHIR lines, update (keep history), strip nulls, merge
-- (an object merged into every body), operator (may load Client and AccessPolicy).
select * from sluice.load_merge(null, false, false, false, null, false) order by resource_type;
commit;
select id, status, resource from patient order by id;
select id, resource from observation;

-- FHIR lines go, as text, into `line`; the merge converts them (in parallel workers). With
-- update, existing ids are replaced and their previous version goes to history; merge adds
-- to every body.
begin;
select sluice.load_stage() as stage \gset
copy :stage (line_no, resource_type, id, line) from stdin;
1	Patient	pt-2	{"resourceType": "Patient", "id": "pt-2", "deceasedBoolean": true}
2	Patient	pt-3	{"resourceType": "Patient", "id": "pt-3", "managingOrganization": {"reference": "Organization/org-1"}}
\.
select * from sluice.load_merge(array['Patient'], true, true, false, '{"active": true}', false);
commit;
select id, status, resource from patient order by id;
select id, status from patient_history order by id, txid;

-- Errors name the line. A type that does not exist:
begin;
select sluice.load_stage() as stage \gset
insert into :stage (line_no, resource_type, id, resource) values (7, 'Patientt', 'x', '{}');
select sluice.load_merge(null, false, false, false, null, false);
\echo :LAST_ERROR_SQLSTATE
rollback;
-- A type that grants access, loaded by anyone but the operator:
begin;
select sluice.load_stage() as stage \gset
insert into :stage (line_no, resource_type, id, resource) values (3, 'Client', 'c1', '{"secret": "s"}');
select sluice.load_merge(null, false, false, false, null, false);
\echo :LAST_ERROR_SQLSTATE
rollback;
-- Everything is staged as text, and the merge casts it: a body that is not JSON, or a cts
-- (meta.createdAt) that is not a date-time, is named by its line.
begin;
select sluice.load_stage() as stage \gset
insert into :stage (line_no, resource_type, id, resource) values
  (1, 'Patient', 'ok', '{}'), (2, 'Patient', 'bad', '{"active": tru}');
select sluice.load_merge(null, false, false, false, null, false);
\echo :LAST_ERROR_SQLSTATE
rollback;
begin;
select sluice.load_stage() as stage \gset
insert into :stage (line_no, resource_type, id, cts, resource) values
  (4, 'Patient', 'ok', '2020-01-02T03:04:05Z', '{}'), (9, 'Patient', 'late', '2020-13-45', '{}');
select sluice.load_merge(null, false, false, false, null, false);
\echo :LAST_ERROR_SQLSTATE
rollback;
-- merge must be an object (wrong type):
begin;
select sluice.load_stage() as stage \gset
select sluice.load_merge(null, false, false, false, '[1]', false);
rollback;
-- The staging table is gone with the transaction:
select count(*) as staging_tables_left from pg_tables where schemaname = 'sluice' and tablename like 'load:%';
