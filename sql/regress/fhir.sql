-- FHIR R4 JSON from psql: fhir.to_fhir turns a stored (Aidbox-format) resource into FHIR,
-- fhir.from_fhir does the reverse, fhir.row_to_fhir writes a stored row as FHIR text, and
-- fhir.attributes lists the first-class extensions (Attribute resources) of a type.
\set SHOW_CONTEXT never

-- The README's examples: references and choice types.
select fhir.to_fhir('{"resourceType":"Observation","id":"o1",
  "subject":{"resourceType":"Patient","id":"pt-1"},"value":{"Quantity":{"value":1}}}');
select fhir.from_fhir('{"resourceType":"Patient","id":"p","deceasedBoolean":false}');

-- Round trip: from_fhir(to_fhir(x)) is x.
select fhir.from_fhir(fhir.to_fhir(r)) = r as round_trip
from (values ('{"resourceType":"Encounter","id":"e1","subject":{"resourceType":"Patient","id":"pt-1"},
                "period":{"start":"2024-01-01"}}'::jsonb)) as v(r);

-- A stored row as FHIR text (resourceType, id and meta first); cast it to use JSON operators.
select sluice.resource_write('Patient', 'pt-1',
  '{"deceased":{"boolean":false},"managingOrganization":{"resourceType":"Organization","id":"org-1"}}', 'update') ->> 'id' as written;
select fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource)::jsonb - 'meta' as fhir,
       fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource)::jsonb -> 'meta' ?& array['versionId', 'lastUpdated'] as has_meta,
       fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource) like '{"resourceType": "Patient", "id": "pt-1", "meta": %' as members_first
from patient;

-- First-class extensions: an Attribute makes Patient.citizenship an extension in FHIR. It
-- takes effect as soon as it is written.
select fhir.attributes('Patient') as before;
select sluice.resource_write('Attribute', null, '{"resourceType":"Attribute","id":"Patient.citizenship",
  "resource":{"resourceType":"Entity","id":"Patient"},"path":["citizenship"],"isCollection":true,
  "extensionUrl":"http://hl7.org/fhir/StructureDefinition/patient-citizenship"}', 'update') ->> 'id' as attribute;
select sluice.resource_write('Attribute', null, '{"resourceType":"Attribute","id":"Patient.citizenship.code",
  "resource":{"resourceType":"Entity","id":"Patient"},"path":["citizenship","code"],
  "type":{"resourceType":"Entity","id":"CodeableConcept"},"extensionUrl":"code"}', 'update') ->> 'id' as attribute;
select jsonb_pretty(fhir.attributes('Patient')) as attributes;
select jsonb_pretty(fhir.to_fhir('{"resourceType":"Patient","id":"p2","citizenship":[{"code":{"text":"NL"}}]}')) as to_fhir;
select fhir.from_fhir(fhir.to_fhir('{"resourceType":"Patient","id":"p2","citizenship":[{"code":{"text":"NL"}}]}')) as back;

-- Over many rows, pass the Attributes once (the seven-argument form), as $dump does.
select fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource,
                        (select fhir.attributes('Patient')))::jsonb ->> 'id' as id
from patient t;

-- Errors: not an object, no resourceType, not JSON (wrong type).
select fhir.to_fhir('[1]');
\echo :LAST_ERROR_SQLSTATE
select fhir.from_fhir('{"id":"p"}');
select fhir.from_fhir('{"resourceType":"Patient"');
