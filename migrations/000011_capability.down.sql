-- Undoes 000011_capability: policy.decide as 000002 made it (no public requests), then the
-- functions 000011 added.
create or replace function policy.decide(p_client_id text, p_secret text, p_request jsonb, p_verified text default null)
returns table (decision text, verified text)
language sql stable parallel safe
begin atomic
  select case
           when v.fingerprint is null then 'unauthenticated'
           when policy.allowed(p_client_id, p_request) is true then 'allowed'
           else 'forbidden'
         end,
         v.fingerprint
  from (select policy.verified_secret(p_client_id, p_secret, p_verified)) as v(fingerprint);
end;
drop function policy.decide_anonymous(jsonb);
drop function policy.public_request(jsonb);
drop function fhir.capability_statement(text);
drop function fhir.capability_operations();
drop function fhir.capability_security();
drop function sluice.history_page(boolean, text, text, text, int, bigint, bigint);
drop function sluice.history_entry(text, text, text, bigint, timestamptz, public.resource_status, text);
drop function sluice.resource_vread(boolean, text, text, text);
drop function sluice.resource_versions(text, text, bigint, bigint);
drop function sluice.version_number(text);
