-- $export from psql: the Patient compartment (generated from HL7's CompartmentDefinition), and
-- the jobs sluice.export_create makes, whose files the server's workers write.
\set SHOW_CONTEXT never

select sluice.resource_write('Patient', 'p1', '{}', 'update') is not null as p1,
       sluice.resource_write('Patient', 'p2', '{"link": [{"other": {"resourceType": "Patient", "id": "p1"}, "type": "seealso"}]}', 'update') is not null as p2,
       sluice.resource_write('Observation', 'o1', '{"status": "final", "code": {"text": "x"}, "subject": {"resourceType": "Patient", "id": "p1"}}', 'update') is not null as o1,
       sluice.resource_write('Observation', 'o2', '{"status": "final", "code": {"text": "x"}, "performer": [{"reference": "Patient/p2"}]}', 'update') is not null as o2,
       sluice.resource_write('Encounter', 'e1', '{"status": "finished", "class": {"code": "AMB"}, "subject": {"resourceType": "Patient", "id": "p2"}}', 'update') is not null as e1,
       sluice.resource_write('Group', 'g1', '{"type": "person", "actual": true, "member": [{"entity": {"resourceType": "Patient", "id": "p2"}}]}', 'update') is not null as g1;

-- What of each type is in a patient's compartment: the patient itself (and one that links to
-- it), references stored either way.
select * from sluice.patient_compartment('p1', 'Patient') order by 1;
select * from sluice.patient_compartment('p1', 'Observation') order by 1;
select * from sluice.patient_compartment('p2', 'Observation') order by 1;
select * from sluice.patient_compartment('p2', 'Encounter') order by 1;
select * from sluice.patient_compartment('p2', 'Group') order by 1;
-- A type outside the compartment has nothing in it; an unknown type is SL404.
select count(*) from sluice.patient_compartment('p1', 'Organization');
select * from sluice.patient_compartment('p1', 'NoSuchType');

-- The paths behind it, and the condition a query uses (alias t).
select resource_type, param, path from fhir_meta.patient_compartment where resource_type in ('Observation', 'Encounter', 'Patient') order by 1, 2, 3;
select sluice.patient_compartment_condition('Encounter', '{p1,p2}');

-- A Group-level job of the operator (null): its patients are the Group's members, a part per
-- type; with _since also the deleted parts.
select sluice.export_create('{"level": "group", "group": "g1", "request": "http://x/fhir/Group/g1/$export", "types": ["Patient", "Encounter"], "since": "2000-01-01T00:00:00Z"}', null, 5) is not null as created;
select level, group_id, patients, errors from sluice.export_job;
select kind, resource_type, files from sluice.export_part order by 1, 2;
-- While no worker has written it, its status says so.
select sluice.export_status(id, null, 'http://x') from sluice.export_job;

-- Errors: an unknown Group (SL404), an unknown type (SL400), Client for a client (SL403), a
-- type outside the compartment at Patient level (SL400; lenient: left out and reported), and
-- the job limit (SL429).
select sluice.export_create('{"level": "group", "group": "nope", "request": "r"}', null, 5);
select sluice.export_create('{"level": "system", "request": "r", "types": ["Nope"]}', null, 5);
select sluice.export_create('{"level": "system", "request": "r", "types": ["Client"]}', 'bulk-client', 5);
select sluice.export_create('{"level": "patient", "request": "r", "types": ["Organization"]}', null, 5);
select sluice.export_create('{"level": "patient", "request": "r", "types": ["Organization", "Patient"], "lenient": true}', null, 5) as lenient \gset
select errors, (select array_agg(resource_type) from sluice.export_part p where p.job_id = j.id) as types
from sluice.export_job j where id = :'lenient';
select sluice.export_create('{"level": "system", "request": "r"}', null, 2);

-- Another client does not see the operator's jobs; cancel deletes a job no worker holds.
select set_config('regress.job', :'lenient', false) is not null as job;
do $$
begin
  perform sluice.export_status(current_setting('regress.job'), 'bulk-client', 'http://x');
exception when sqlstate 'SL404' then
  raise notice 'SL404: %', replace(sqlerrm, current_setting('regress.job'), '<id>');
end $$;
select count(*) from (select sluice.export_cancel(id, null) from sluice.export_job) c;
select count(*) as jobs, (select count(*) from sluice.export_part) as parts from sluice.export_job;
