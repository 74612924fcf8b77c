-- The CapabilityStatement from psql: fhir.capability_statement() is what GET /fhir/metadata
-- answers, built from the registered types (sluice.resource_type). Its date is the time of the
-- call, left out here.
\set SHOW_CONTEXT never

select jsonb_pretty(fhir.capability_statement('http://h/fhir', 'http://h/auth/token') - 'date' #- '{rest,0,resource}') as statement;

-- One entry per FHIR type, none for sluice's own types; the export operation on Patient and
-- Group only.
select count(*) = (select count(*) from sluice.resource_type where kind = 'fhir') as every_fhir_type,
       count(*) filter (where r ->> 'type' in (select name from sluice.resource_type where kind = 'system')) as system_types,
       string_agg(r ->> 'type', ', ') filter (where r ? 'operation') as with_operations
from jsonb_array_elements(fhir.capability_statement() #> '{rest,0,resource}') as r;
select jsonb_pretty(r) as patient
from jsonb_array_elements(fhir.capability_statement() #> '{rest,0,resource}') as r
where r ->> 'type' = 'Patient';
select fhir.capability_statement() ? 'date' as dated, fhir.capability_statement() -> 'implementation' as without_base;

-- The operations and the security section on their own.
select * from fhir.capability_operations();
select fhir.capability_security() #> '{service,0,coding,0,code}' as scheme;

-- The one request that needs no credentials: GET /fhir/metadata.
select policy.public_request('{"uri":"/fhir/metadata","request-method":"get"}') as metadata,
       policy.public_request('{"uri":"/fhir/metadata/","request-method":"get"}') as trailing_slash,
       policy.public_request('{"uri":"/fhir/metadata","request-method":"post"}') as post,
       policy.public_request('{"uri":"/metadata","request-method":"get"}') as aidbox,
       policy.public_request('{"uri":"/fhir/Patient","request-method":"get"}') as patients,
       policy.public_request('{}') as nothing;
select policy.decide_anonymous('{"uri":"/fhir/metadata","request-method":"get"}') as metadata,
       policy.decide_anonymous('{"uri":"/fhir/Patient/pt-1","request-method":"get"}') as read;
-- A client that authenticates may read it whatever its policies (it has none here); wrong
-- credentials are still wrong.
select sluice.resource_write('Client', 'c-1', '{"secret":"s1","grant_types":["basic"]}', 'update') ->> 'id' as client;
select policy.authorize('c-1', 's1', '{"uri":"/fhir/metadata","request-method":"get"}') as metadata,
       policy.authorize('c-1', 's1', '{"uri":"/fhir/Patient","request-method":"get"}') as patients,
       policy.authorize('c-1', 'wrong', '{"uri":"/fhir/metadata","request-method":"get"}') as wrong_secret;
