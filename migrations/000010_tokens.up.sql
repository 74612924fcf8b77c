-- Bearer tokens (docs/access.md, "Bearer tokens"): the access tokens POST /auth/token issues,
-- stored hashed so that every server sharing the database accepts them and a DBA revokes one
-- with a delete; the assertion ids (jti) a SMART Backend Services client has used, so that a
-- replayed assertion fails on every server; SMART scopes; and the one question per request for
-- a token, next to policy.decide's for HTTP Basic.
--
-- A token's request passes when an AccessPolicy of its client allows it (policy.allowed, as
-- for Basic) and the token's scope covers it (policy.scope_allows): the intersection.

-- An issued access token: only the sha256 of the token is kept (policy.token_hash). Revoking is
-- a delete: delete from policy.token where client_id = 'bulk-client';
create table policy.token (
  hash      bytea primary key,
  client_id text not null,
  -- the granted scope, space-separated (policy.scope_grant)
  scope     text not null,
  issued    timestamptz not null default now(),
  expires   timestamptz not null
);
-- policy.token_issue deletes the expired rows, so the table holds the live tokens only.
create index token_expires on policy.token (expires);

-- The jti of every assertion that got a token, until the assertion's exp: a second use of the
-- same jti by the same client is refused (policy.token_issue), on whichever server it comes.
create table policy.assertion_jti (
  client_id text not null,
  jti       text not null,
  expires   timestamptz not null,
  primary key (client_id, jti)
);
create index assertion_jti_expires on policy.assertion_jti (expires);

-- What is stored of a token: its sha256. The token is 32 random bytes, so a hash without
-- salt or stretching is enough: nothing can be guessed from it.
create function policy.token_hash(p_token text) returns bytea
language sql immutable parallel safe
return public.digest(p_token, 'sha256');

-- One SMART scope sluice understands, as (resource type or '*', permission letters of SMART
-- v2: c create, r read, u update, d delete, s search), or no row. Only system scopes (backend
-- services): system/<Type|*>.<read|write|*> (v1: read is rs, write cud, * cruds) or
-- system/<Type|*>.<letters> (v2, in the order cruds, at least one). The type must be one
-- sluice stores. Anything else (patient/ and user/ scopes, v2 query suffixes, openid, ...)
-- is not understood.
create function policy.scope_parse(p_scope text) returns table (resource_type text, letters text)
language sql stable parallel safe
begin atomic
  select m.parts[1],
         case m.parts[2] when 'read' then 'rs' when 'write' then 'cud' when '*' then 'cruds' else m.parts[2] end
  from (select regexp_match(p_scope, '^system/(\*|[A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$')) as m(parts)
  where m.parts is not null
    and m.parts[2] <> ''
    and (m.parts[1] = '*' or (sluice.resource_type_of(m.parts[1])).name is not null);
end;

-- The scope a token gets when p_requested is asked for: the scopes of it that sluice
-- understands (policy.scope_parse), in the order asked, without repeats; an absent or blank
-- request is system/*.* (the client's AccessPolicies alone decide, as for HTTP Basic). Null
-- when none is understood (the token endpoint's invalid_scope). What is left out the token
-- endpoint's answer shows: its scope is this one.
create function policy.scope_grant(p_requested text) returns text
language sql stable parallel safe
return case
  when coalesce(btrim(p_requested, E' \t\n\r'), '') = '' then 'system/*.*'
  else (select string_agg(s.scope, ' ' order by s.first)
        from (select t.scope, min(t.i) as first
              from regexp_split_to_table(btrim(p_requested, E' \t\n\r'), '\s+') with ordinality as t(scope, i)
              where exists (select from policy.scope_parse(t.scope))
              group by t.scope) as s)
end;

-- What request p_request (docs/access.md, "The request object") needs from a token's scope:
-- a resource type ('*': every type) and the letters. No row: nothing of its own (POST / and
-- PUT /, whose entries and items are checked one by one). The type is params.resource/type
-- (set by the route only); the operation is the path's last segment when it starts with $.
--   $dump, $dump-csv of a type: s (search: it returns the type's resources)
--   $load of a type: cu (it creates and replaces); /$load and $import: cu on '*' (the types
--     are in the data, unknown when the request is checked)
--   $dump-sql: rs on '*' (a query may read any type)
--   otherwise by method: GET of an id r, of a type s; POST c; PUT and PATCH u; DELETE d;
--   any other method every letter.
create function policy.scope_needs(p_request jsonb) returns table (resource_type text, letters text)
language sql immutable parallel safe
begin atomic
  select coalesce(r.type, '*'),
         case
           when r.operation in ('$dump', '$dump-csv') then 's'
           when r.operation in ('$load', '$import') then 'cu'
           when r.operation = '$dump-sql' then 'rs'
           when r.method in ('get', 'head') and r.id is not null then 'r'
           when r.method in ('get', 'head') then 's'
           when r.method = 'post' then 'c'
           when r.method in ('put', 'patch') then 'u'
           when r.method = 'delete' then 'd'
           else 'cruds'
         end
  from (select p_request #>> '{params,resource/type}' as type,
               p_request #>> '{params,resource/id}' as id,
               lower(p_request ->> 'request-method') as method,
               substring(p_request ->> 'uri' from '/(\$[^/]*)/?$') as operation) as r
  where r.type is not null or r.operation is not null;
end;

-- Does scope p_scope (space-separated) cover request p_request? Every letter a need asks for
-- must be granted by some understood scope of the same type or of '*' (letters of several
-- scopes add up: system/Patient.c and system/Patient.u cover a $load of Patient); a need on '*'
-- only by scopes of '*'. A null p_scope is no token at all: true (HTTP Basic is policies only).
create function policy.scope_allows(p_scope text, p_request jsonb) returns boolean
language sql stable parallel safe
return p_scope is null or not exists (
  select
  from policy.scope_needs(p_request) as n
  where translate(n.letters,
                  coalesce((select string_agg(g.letters, '')
                            from regexp_split_to_table(p_scope, '\s+') as s(scope),
                                 policy.scope_parse(s.scope) as g
                            where g.resource_type = '*' or g.resource_type = n.resource_type), ''),
                  '') <> '');

-- The live token p_token: its client and scope, while it has not expired and its Client still
-- exists with client_credentials among its grant_types (so deleting the Client, or taking the
-- grant away, ends its tokens too). No row: unknown, expired or revoked.
create function policy.token_client(p_token text) returns table (client_id text, scope text)
language sql stable parallel safe
begin atomic
  select t.client_id, t.scope
  from policy.token as t
  join public.client as c on c.id = t.client_id
  where t.hash = policy.token_hash(p_token)
    and t.expires > now()
    and coalesce(c.resource -> 'grant_types' @> '["client_credentials"]', false);
end;

-- The proxy's one question per request that carries a Bearer token, as policy.decide is for
-- HTTP Basic: decision 'unauthenticated' (401: unknown, expired or revoked token), 'allowed',
-- or 'forbidden' (403); in_scope says whether the token's scope covers the request (a
-- forbidden request in scope is one no AccessPolicy allows). p_request is the request object;
-- its client is set here from the token.
create function policy.decide_token(p_token text, p_request jsonb)
returns table (decision text, client_id text, scope text, in_scope boolean)
language sql stable parallel safe
begin atomic
  select case
           when t.client_id is null then 'unauthenticated'
           when policy.public_request(r.request)
             or policy.scope_allows(t.scope, r.request) and policy.allowed(t.client_id, r.request) then 'allowed'
           else 'forbidden'
         end,
         t.client_id, t.scope, policy.scope_allows(t.scope, r.request)
  from (select 1) as one
  left join policy.token_client(p_token) as t on true
  cross join lateral (select p_request || jsonb_build_object('client', jsonb_build_object('id', t.client_id))) as r(request);
end;

-- policy.decide_token's decision alone, for psql users: may this token make this request?
create function policy.token_authorize(p_token text, p_request jsonb) returns text
language sql stable parallel safe
return (select d.decision from policy.decide_token(p_token, p_request) as d);

-- The token endpoint's check of a client secret (client_secret_basic, or client_id and
-- client_secret in the body): 'ok', 'invalid_client' (unknown client, no secret or a wrong
-- one; bcrypt runs in every case, policy.secret_matches), or 'invalid_grant' (the right
-- secret, but client_credentials is not among the Client's grant_types).
create function policy.token_secret(p_client_id text, p_secret text) returns text
language sql stable parallel safe
return (select case
                 when not policy.secret_matches(c.stored, p_secret) then 'invalid_client'
                 when coalesce(c.resource -> 'grant_types' @> '["client_credentials"]', false) then 'ok'
                 else 'invalid_grant'
               end
        from (select 1) as one
        left join lateral (select cl.resource,
                                  case when jsonb_typeof(cl.resource -> 'secret') = 'string' then cl.resource ->> 'secret' end
                           from public.client as cl where cl.id = p_client_id) as c(resource, stored) on true);

-- The public keys of Client p_client_id for SMART Backend Services: its inline jwks (a JWK
-- set) or its jwks_uri, and whether it may use client_credentials. No row: no such Client.
create function policy.client_keys(p_client_id text)
returns table (jwks jsonb, jwks_uri text, client_credentials boolean)
language sql stable parallel safe
begin atomic
  select c.resource -> 'jwks', c.resource ->> 'jwks_uri',
         coalesce(c.resource -> 'grant_types' @> '["client_credentials"]', false)
  from public.client as c
  where c.id = p_client_id;
end;

-- Issues an access token to client p_client_id with scope p_scope (already granted: policy.
-- scope_grant), valid for p_lifetime, and returns it; only its hash is stored. For a SMART
-- assertion, p_jti and p_jti_expires (the assertion's exp) record the assertion id: when the
-- client used that jti before, or the assertion has expired by the database's clock, it
-- returns null and writes nothing, so a replay fails across servers. Expired tokens and
-- assertion ids are deleted on the way, which keeps both tables to the live rows.
create function policy.token_issue(p_client_id text, p_scope text, p_lifetime interval,
                                   p_jti text default null, p_jti_expires timestamptz default null)
returns text
language plpgsql volatile as $$
declare
  v_token text;
begin
  delete from policy.token where expires <= now();
  delete from policy.assertion_jti where expires <= now();
  if p_jti is not null then
    if p_jti_expires is null or p_jti_expires <= now() then
      return null;
    end if;
    insert into policy.assertion_jti (client_id, jti, expires) values (p_client_id, p_jti, p_jti_expires)
      on conflict do nothing;
    if not found then
      return null;
    end if;
  end if;
  -- base64url without padding: 43 characters
  v_token := translate(encode(public.gen_random_bytes(32), 'base64'), '+/=', '-_');
  insert into policy.token (hash, client_id, scope, expires)
    values (policy.token_hash(v_token), p_client_id, p_scope, now() + p_lifetime);
  return v_token;
end $$;

-- The entries of a Bundle the caller may not run, and the items of PUT /, as in 000002, now
-- also checked against a token's scope (p_scope; null for HTTP Basic: policies only).
drop function policy.refused_entries(text, jsonb, jsonb);
drop function policy.refused_items(text, jsonb, jsonb);

create function policy.refused_entries(p_client_id text, p_request jsonb, p_entries jsonb, p_scope text default null)
returns table (entry int, method text, uri text, guarded boolean)
language sql stable parallel safe
begin atomic
  select (e.i - 1)::int, upper(r.request ->> 'request-method'), r.request ->> 'uri',
         policy.writes_guarded_type(r.request)
  from jsonb_array_elements(case when jsonb_typeof(p_entries) = 'array' then p_entries else '[]' end)
         with ordinality as e(entry, i),
       lateral (select policy.entry_request(p_request, e.entry)) as r(request)
  where not (policy.scope_allows(p_scope, r.request) and policy.allowed(p_client_id, r.request))
  order by e.i;
end;

create function policy.refused_items(p_client_id text, p_request jsonb, p_resources jsonb, p_scope text default null)
returns table (entry int, method text, uri text, guarded boolean)
language sql stable parallel safe
begin atomic
  select (e.i - 1)::int, 'PUT', r.request ->> 'uri', policy.writes_guarded_type(r.request)
  from jsonb_array_elements(case when jsonb_typeof(p_resources) = 'array' then p_resources else '[]' end)
         with ordinality as e(item, i),
       lateral (select policy.route_request(p_request, 'put', e.item ->> 'resourceType', e.item ->> 'id')) as r(request)
  where not (policy.scope_allows(p_scope, r.request) and policy.allowed(p_client_id, r.request))
  order by e.i;
end;
