drop function fhir.bundle_entry(jsonb);
