drop function sluice.request_run(boolean, jsonb);
drop function fhir.bundle_entry(jsonb);
drop function fhir.entry_run(jsonb);
