-- Undoes 000011_capability: drops the functions it added.
drop function fhir.capability_statement(text, text);
drop function fhir.capability_operations();
drop function fhir.capability_security(text);
drop function sluice.history_page(boolean, text, text, text, int, bigint, bigint);
drop function sluice.history_entry(text, text, text, bigint, timestamptz, public.resource_status, text);
drop function sluice.resource_vread(boolean, text, text, text);
drop function sluice.resource_versions(text, text, bigint, bigint);
drop function sluice.version_number(text);
