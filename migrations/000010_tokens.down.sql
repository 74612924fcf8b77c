-- Undoes 000010_tokens: the token tables and functions go, and the Bundle and PUT / checks
-- take their 000002 form again (policies only, no scope). Tokens issued are gone with their
-- table: their clients need HTTP Basic again.
drop function policy.refused_entries(text, jsonb, jsonb, text);
drop function policy.refused_items(text, jsonb, jsonb, text);
drop function policy.token_issue(text, text, interval, text, timestamptz);
drop function policy.client_keys(text);
drop function policy.token_secret(text, text);
drop function policy.token_authorize(text, jsonb);
drop function policy.decide_token(text, jsonb);
drop function policy.token_client(text);
drop function policy.scope_allows(text, jsonb);
drop function policy.scope_needs(jsonb);
drop function policy.scope_grant(text);
drop function policy.scope_parse(text);
drop function policy.token_hash(text);
drop table policy.assertion_jti;
drop table policy.token;

-- As in 000002_policy.up.sql:
create function policy.refused_entries(p_client_id text, p_request jsonb, p_entries jsonb)
returns table (entry int, method text, uri text, guarded boolean)
language sql stable parallel safe
begin atomic
  select (e.i - 1)::int, upper(r.request ->> 'request-method'), r.request ->> 'uri',
         policy.writes_guarded_type(r.request)
  from jsonb_array_elements(case when jsonb_typeof(p_entries) = 'array' then p_entries else '[]' end)
         with ordinality as e(entry, i),
       lateral (select policy.entry_request(p_request, e.entry)) as r(request)
  where not policy.allowed(p_client_id, r.request)
  order by e.i;
end;

-- The same for the items of PUT / (p_resources, an array of resources): each is
-- PUT /<resourceType>/<id>.
create function policy.refused_items(p_client_id text, p_request jsonb, p_resources jsonb)
returns table (entry int, method text, uri text, guarded boolean)
language sql stable parallel safe
begin atomic
  select (e.i - 1)::int, 'PUT', r.request ->> 'uri', policy.writes_guarded_type(r.request)
  from jsonb_array_elements(case when jsonb_typeof(p_resources) = 'array' then p_resources else '[]' end)
         with ordinality as e(item, i),
       lateral (select policy.route_request(p_request, 'put', e.item ->> 'resourceType', e.item ->> 'id')) as r(request)
  where not policy.allowed(p_client_id, r.request)
  order by e.i;
end;
