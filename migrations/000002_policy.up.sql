-- Access control (docs/access.md), decided in SQL so a psql user can ask the same question
-- the proxy asks: Client secrets stored hashed, AccessPolicy resources checked on write, the
-- matcho engine, and policy.authorize, which the proxy calls once per request.
--
-- Errors use SQLSTATE 'SL' || <HTTP status> like migrations/000001_core.up.sql: SL422 for an
-- invalid Client or AccessPolicy.

create schema policy;

-- The Aidbox matcho engine: does p_subject match p_pattern? p_subject null (SQL NULL) stands
-- for a missing key and counts as JSON null.
--   object pattern: every key matches the same key of the subject, which must be an object
--     (extra subject keys are fine; {} matches any object). The special keys $one-of (array:
--     any listed pattern matches), $enum (array: the subject equals a listed value), $not (the
--     pattern does not match) and $contains (some element of the subject array matches) apply
--     to the subject itself, whatever its type.
--   array pattern: a prefix, element by element; the subject is an array at least as long.
--   string: 'present?' (not null), 'nil?' (null or missing), 'not-blank?' (a string with a
--     non-space character, or any non-null non-string), '#<regex>' (searched, unanchored, in a
--     string subject); any other string, and numbers, booleans and null, compare by JSON value.
-- Never returns null (a null would read as "no mismatch" one level up). A malformed operator
-- ($one-of or $enum not an array) matches nothing: a policy fails closed.
-- Plain plpgsql recursion that never runs a query: it runs on every request.
create function policy.matcho(p_pattern jsonb, p_subject jsonb) returns boolean
language plpgsql immutable parallel safe as $$
declare
  v_key   text;
  v_value jsonb;
  v_text  text;
  v_i     int;
  v_found boolean;
  v_pairs jsonb;
  v_j     int;
begin
  case jsonb_typeof(p_pattern)
    when 'object' then
      -- keyvalue() lists the keys within a plain expression; a loop over jsonb_each would run a
      -- query (SPI) per object, which made the whole match about 30% slower.
      v_pairs := jsonb_path_query_array(p_pattern, '$.keyvalue()');
      for v_j in 0 .. jsonb_array_length(v_pairs) - 1 loop
        v_key := v_pairs -> v_j ->> 'key';
        v_value := v_pairs -> v_j -> 'value';
        case v_key
          when '$one-of' then
            if jsonb_typeof(v_value) <> 'array' then
              return false;
            end if;
            v_found := false;
            for v_i in 0 .. jsonb_array_length(v_value) - 1 loop
              if policy.matcho(v_value -> v_i, p_subject) then
                v_found := true;
                exit;
              end if;
            end loop;
            if not v_found then
              return false;
            end if;
          when '$enum' then
            if jsonb_typeof(v_value) <> 'array' then
              return false;
            end if;
            v_found := false;
            for v_i in 0 .. jsonb_array_length(v_value) - 1 loop
              if v_value -> v_i = coalesce(p_subject, 'null') then
                v_found := true;
                exit;
              end if;
            end loop;
            if not v_found then
              return false;
            end if;
          when '$not' then
            if policy.matcho(v_value, p_subject) then
              return false;
            end if;
          when '$contains' then
            if jsonb_typeof(p_subject) is distinct from 'array' then
              return false;
            end if;
            v_found := false;
            for v_i in 0 .. jsonb_array_length(p_subject) - 1 loop
              if policy.matcho(v_value, p_subject -> v_i) then
                v_found := true;
                exit;
              end if;
            end loop;
            if not v_found then
              return false;
            end if;
          else
            if jsonb_typeof(p_subject) is distinct from 'object'
               or not policy.matcho(v_value, p_subject -> v_key) then
              return false;
            end if;
        end case;
      end loop;
      return p_pattern <> '{}' or jsonb_typeof(p_subject) is not distinct from 'object';
    when 'array' then
      if jsonb_typeof(p_subject) is distinct from 'array' then
        return false;
      end if;
      if jsonb_array_length(p_subject) < jsonb_array_length(p_pattern) then
        return false;
      end if;
      for v_i in 0 .. jsonb_array_length(p_pattern) - 1 loop
        if not policy.matcho(p_pattern -> v_i, p_subject -> v_i) then
          return false;
        end if;
      end loop;
      return true;
    when 'string' then
      v_text := p_pattern #>> '{}';
      case
        when v_text = 'present?' then
          return coalesce(jsonb_typeof(p_subject), 'null') <> 'null';
        when v_text = 'nil?' then
          return coalesce(jsonb_typeof(p_subject), 'null') = 'null';
        when v_text = 'not-blank?' then
          return case coalesce(jsonb_typeof(p_subject), 'null')
                   when 'null' then false
                   when 'string' then (p_subject #>> '{}') ~ '\S'
                   else true
                 end;
        when left(v_text, 1) = '#' then
          return jsonb_typeof(p_subject) is not distinct from 'string'
             and (p_subject #>> '{}') ~ substr(v_text, 2);
        else
          return p_subject is not null and p_subject = p_pattern;
      end case;
    else
      -- number, boolean, JSON null (and a missing pattern, read as null)
      return coalesce(p_subject, 'null') = coalesce(p_pattern, 'null');
  end case;
end $$;

-- Checks a matcho pattern when an AccessPolicy is written, so a mistake is a 422 naming it
-- rather than a policy that silently never matches (or fails every request): every '#regex'
-- must compile, $one-of and $enum must be arrays. p_path names the place for the message
-- (e.g. matcho.$one-of[1].uri). $enum values are literals, not patterns: not walked.
-- Parallel unsafe: the exception block is a subtransaction, which PostgreSQL 15 refuses in
-- parallel mode.
create function policy.matcho_check(p_pattern jsonb, p_path text) returns void
language plpgsql immutable parallel unsafe as $$
declare
  v_key   text;
  v_value jsonb;
  v_regex text;
  v_i     int;
begin
  case jsonb_typeof(p_pattern)
    when 'object' then
      for v_key, v_value in select e.key, e.value from jsonb_each(p_pattern) as e loop
        if v_key in ('$one-of', '$enum') and jsonb_typeof(v_value) <> 'array' then
          raise exception using errcode = 'SL422',
            message = format('%s.%s must be an array, got %s', p_path, v_key, jsonb_typeof(v_value));
        end if;
        if v_key <> '$enum' then
          perform policy.matcho_check(v_value, p_path || '.' || v_key);
        end if;
      end loop;
    when 'array' then
      for v_i in 0 .. jsonb_array_length(p_pattern) - 1 loop
        perform policy.matcho_check(p_pattern -> v_i, format('%s[%s]', p_path, v_i));
      end loop;
    when 'string' then
      if left(p_pattern #>> '{}', 1) = '#' then
        v_regex := substr(p_pattern #>> '{}', 2);
        begin
          perform '' ~ v_regex;
        exception when invalid_regular_expression then
          raise exception using errcode = 'SL422',
            message = format('%s: invalid regular expression %s: %s', p_path, v_regex,
                             regexp_replace(sqlerrm, '^invalid regular expression: ', '')),
            hint = 'a matcho string starting with # is a PostgreSQL regular expression';
        end;
      end if;
    else
      null;
  end case;
end $$;

-- The bcrypt cost of stored secrets: 10, OWASP's minimum for bcrypt (about 50 ms a check
-- here). Hashes stored with another cost still verify (the cost is part of the hash); they
-- take the new cost when the secret is written again. The proxy's verified-credential cache
-- (policy.verified_secret's p_verified) keeps requests from paying it every time.
create function policy.bcrypt_cost() returns int
language sql immutable parallel safe
return 10;

-- Trigger on public.client (and its history): a secret is stored as a bcrypt hash, never in
-- plain text, whatever path writes the row (REST, PUT /, bundles, bulk load, plain SQL). A
-- value that already is a bcrypt hash ($2a$, $2b$, $2x$, $2y$, cost, 53 characters) is kept, so
-- rewriting a stored row does not hash the hash.
create function policy.client_secret_hash() returns trigger
language plpgsql volatile as $$
declare
  v_secret jsonb := new.resource -> 'secret';
begin
  if v_secret is null then
    return new;
  end if;
  if jsonb_typeof(v_secret) <> 'string' then
    raise exception using errcode = 'SL422',
      message = format('Client %s: secret must be a string, got %s', new.id, jsonb_typeof(v_secret));
  end if;
  if (v_secret #>> '{}') !~ '^\$2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}$' then
    new.resource := jsonb_set(new.resource, '{secret}',
      to_jsonb(public.crypt(v_secret #>> '{}', public.gen_salt('bf', policy.bcrypt_cost()))));
  end if;
  return new;
end $$;

create trigger client_secret_hash before insert or update on public.client
  for each row execute function policy.client_secret_hash();

-- History rows are copied from public.client, so already hashed; the trigger there too means a
-- loader that writes history directly cannot store a plain secret either.
create trigger client_secret_hash before insert or update on public.client_history
  for each row execute function policy.client_secret_hash();

-- Trigger on public.accesspolicy: a policy that cannot work is refused with SL422 naming the
-- problem, instead of being stored and then never matching: engine allow or matcho, a matcho
-- object for engine matcho (its regexes valid), link an array of references with an id.
create function policy.accesspolicy_check() returns trigger
language plpgsql volatile as $$
declare
  v_engine jsonb := new.resource -> 'engine';
  v_link   jsonb := new.resource -> 'link';
  v_i      int;
begin
  if v_engine is null then
    raise exception using errcode = 'SL422',
      message = format('AccessPolicy %s: engine is missing', new.id),
      hint = 'engine is allow or matcho';
  end if;
  if v_engine not in ('"allow"', '"matcho"') then
    raise exception using errcode = 'SL422',
      message = format('AccessPolicy %s: unknown engine %s', new.id, v_engine),
      hint = 'engine is allow or matcho';
  end if;
  if v_engine = '"matcho"' then
    if jsonb_typeof(new.resource -> 'matcho') is distinct from 'object' then
      raise exception using errcode = 'SL422',
        message = format('AccessPolicy %s: engine matcho needs a matcho object, got %s', new.id,
                         coalesce(jsonb_typeof(new.resource -> 'matcho'), 'nothing'));
    end if;
    perform policy.matcho_check(new.resource -> 'matcho', format('AccessPolicy %s: matcho', new.id));
  end if;
  if v_link is not null and jsonb_typeof(v_link) <> 'null' then
    if jsonb_typeof(v_link) <> 'array' then
      raise exception using errcode = 'SL422',
        message = format('AccessPolicy %s: link must be an array, got %s', new.id, jsonb_typeof(v_link)),
        hint = 'link: [{id: <client id>, resourceType: Client}]';
    end if;
    for v_i in 0 .. jsonb_array_length(v_link) - 1 loop
      if jsonb_typeof(v_link -> v_i) <> 'object' or jsonb_typeof(v_link -> v_i -> 'id') is distinct from 'string' then
        raise exception using errcode = 'SL422',
          message = format('AccessPolicy %s: link[%s] must be an object with a string id, got %s',
                           new.id, v_i, v_link -> v_i),
          hint = 'link: [{id: <client id>, resourceType: Client}]';
      end if;
    end loop;
  end if;
  return new;
end $$;

create trigger accesspolicy_check before insert or update on public.accesspolicy
  for each row execute function policy.accesspolicy_check();

-- What the proxy's verified-credential cache keeps of a stored secret hash: its sha256 (hex),
-- never the hash itself or the secret. A different fingerprint means the secret was changed.
create function policy.secret_fingerprint(p_hash text) returns text
language sql immutable parallel safe
return encode(public.digest(p_hash, 'sha256'), 'hex');

-- Does p_secret match p_stored, a bcrypt hash (null: no stored secret, never a match)? bcrypt
-- runs even then (against a fixed salt of the same cost), so the time taken does not tell
-- whether there was a hash to compare with. Every secret check goes through here: HTTP Basic
-- (policy.verified_secret) and the token endpoint (policy.token_secret, 000010).
create function policy.secret_matches(p_stored text, p_secret text) returns boolean
language sql stable parallel safe
-- (crypt comes first in the expression: it runs whatever the rest says)
return coalesce(public.crypt(coalesce(p_secret, ''),
                             coalesce(p_stored, format('$2a$%s$%s', lpad(policy.bcrypt_cost()::text, 2, '0'), repeat('.', 22))))
                = p_stored, false)
   and p_secret is not null;

-- Is p_secret the secret of Client p_client_id, and may that client use HTTP Basic (basic in
-- grant_types)? Returns the fingerprint of the stored hash (policy.secret_fingerprint) when
-- so, else null.
-- bcrypt runs even when the client is unknown or has no secret (against a fixed salt of the
-- same cost), so the time taken does not tell which client ids exist.
-- p_verified skips bcrypt: a caller that verified this very secret of this client before
-- (the proxy, within SLUICE_AUTH_CACHE_TTL) passes the fingerprint it got back then; when it
-- is still the stored hash's fingerprint, the secret is taken as verified. A changed secret or
-- a deleted Client no longer matches, so it is refused at once; grant_types are checked every
-- time. Only a caller that verified the secret may pass p_verified: it vouches for it.
create function policy.verified_secret(p_client_id text, p_secret text, p_verified text default null)
returns text
language plpgsql stable parallel safe as $$
declare
  v_resource    jsonb;
  v_stored      text;
  v_fingerprint text;
begin
  select c.resource into v_resource from public.client as c where c.id = p_client_id;
  if jsonb_typeof(v_resource -> 'secret') = 'string' then
    v_stored := v_resource ->> 'secret';
    v_fingerprint := policy.secret_fingerprint(v_stored);
  end if;
  if p_verified is null or p_verified is distinct from v_fingerprint then
    if not policy.secret_matches(v_stored, p_secret) then
      return null;
    end if;
  end if;
  if p_secret is null or v_stored is null
     or not coalesce(v_resource -> 'grant_types' @> '["basic"]', false) then
    return null;
  end if;
  return v_fingerprint;
end $$;

-- Is p_secret the secret of Client p_client_id, and may that client use HTTP Basic?
create function policy.authenticate(p_client_id text, p_secret text) returns boolean
language sql stable parallel safe
return policy.verified_secret(p_client_id, p_secret) is not null;

-- Does matcho pattern p_pattern match p_subject through a pattern that names the value at
-- p_path (e.g. {params,resource/type}) as a literal: a plain string (not a #regex, not
-- present?/nil?/not-blank?) or an $enum? Regexes and the other predicates match without naming
-- anything, so they never count. Within $one-of it is enough that one branch that matches
-- names it (that branch alone would allow the request); within an object, one key.
create function policy.matcho_names(p_pattern jsonb, p_subject jsonb, p_path text[]) returns boolean
language plpgsql immutable parallel safe as $$
declare
  v_i int;
begin
  if not policy.matcho(p_pattern, p_subject) then
    return false;
  end if;
  if cardinality(p_path) = 0 then
    if jsonb_typeof(p_pattern) = 'string' then
      return left(p_pattern #>> '{}', 1) <> '#'
         and (p_pattern #>> '{}') not in ('present?', 'nil?', 'not-blank?');
    end if;
    if jsonb_typeof(p_pattern) = 'object' and jsonb_typeof(p_pattern -> '$enum') = 'array' then
      return true;
    end if;
  elsif jsonb_typeof(p_pattern) = 'object' and p_pattern ? p_path[1]
        and policy.matcho_names(p_pattern -> p_path[1], p_subject -> p_path[1], p_path[2:]) then
    return true;
  end if;
  if jsonb_typeof(p_pattern) = 'object' and jsonb_typeof(p_pattern -> '$one-of') = 'array' then
    for v_i in 0 .. jsonb_array_length(p_pattern -> '$one-of') - 1 loop
      if policy.matcho_names(p_pattern -> '$one-of' -> v_i, p_subject, p_path) then
        return true;
      end if;
    end loop;
  end if;
  return false;
end $$;

-- Does p_request write (post, put, patch, delete) a type whose rows grant or configure access
-- (sluice.guards_access: Client, AccessPolicy)? The type is params.resource/type, which the
-- proxy takes from the route only.
create function policy.writes_guarded_type(p_request jsonb) returns boolean
language sql stable parallel safe
return coalesce(lower(p_request ->> 'request-method') in ('post', 'put', 'patch', 'delete')
                and sluice.guards_access(p_request #>> '{params,resource/type}'), false);

-- Does any AccessPolicy that applies to client p_client_id match request p_request? A policy
-- applies when its link lists the client ({id, resourceType: Client}; an entry without
-- resourceType counts as a Client) or when it has no link at all (link absent or null; an
-- empty link array lists nobody, and a malformed link applies to nobody). Engine allow
-- matches everything; engine matcho runs policy.matcho on the request.
-- A write of a type that guards access (policy.writes_guarded_type) is allowed only by a
-- matcho policy that names the type (policy.matcho_names on params.resource/type): engine
-- allow and regexes never grant it, so a client that may write "anything" cannot make itself
-- a policy or reset another client's secret.
create function policy.allowed(p_client_id text, p_request jsonb) returns boolean
language sql stable parallel safe
return exists (
  select
  from public.accesspolicy as ap,
       (select policy.writes_guarded_type(p_request)) as g(guarded)
  where case coalesce(jsonb_typeof(ap.resource -> 'link'), 'null')
          when 'null' then true
          when 'array' then exists (
            select
            from jsonb_array_elements(ap.resource -> 'link') as l
            where l.value ->> 'id' = p_client_id
              and coalesce(l.value ->> 'resourceType', 'Client') = 'Client')
          else false
        end
    and case
          when g.guarded then
            ap.resource ->> 'engine' = 'matcho'
            and policy.matcho_names(ap.resource -> 'matcho', p_request, '{params,resource/type}')
          else
            ap.resource ->> 'engine' = 'allow'
            or (ap.resource ->> 'engine' = 'matcho' and policy.matcho(ap.resource -> 'matcho', p_request))
        end);

-- The requests anyone may make, without credentials (and a client with credentials whatever
-- its policies): GET /fhir/metadata, the CapabilityStatement, which says how to authenticate.
-- The one exception to "every request needs credentials" (docs/access.md); p_request is the
-- request object of policy.decide.
create function policy.public_request(p_request jsonb) returns boolean
language sql immutable parallel safe
return coalesce(lower(p_request ->> 'request-method') = 'get'
                and p_request ->> 'uri' in ('/fhir/metadata', '/fhir/metadata/'), false);

-- The decision on a request that came without credentials: 'allowed' for a public request,
-- else 'unauthenticated' (401).
create function policy.decide_anonymous(p_request jsonb) returns text
language sql immutable parallel safe
return case when policy.public_request(p_request) then 'allowed' else 'unauthenticated' end;

-- The proxy's one question per request: decision 'unauthenticated' (401) when the
-- credentials are wrong, else 'allowed' (a public request, or one a policy allows) or
-- 'forbidden' (403), and verified, the fingerprint
-- to pass back as p_verified next time (policy.verified_secret; null when unauthenticated).
-- p_request is the request object of docs/access.md (uri, request-method, params,
-- query-string, headers, client).
create function policy.decide(p_client_id text, p_secret text, p_request jsonb, p_verified text default null)
returns table (decision text, verified text)
language sql stable parallel safe
begin atomic
  select case
           when v.fingerprint is null then 'unauthenticated'
           when policy.public_request(p_request) or policy.allowed(p_client_id, p_request) is true then 'allowed'
           else 'forbidden'
         end,
         v.fingerprint
  from (select policy.verified_secret(p_client_id, p_secret, p_verified)) as v(fingerprint);
end;

-- policy.decide's decision alone, for psql users: 'unauthenticated', 'allowed' or 'forbidden'.
create function policy.authorize(p_client_id text, p_secret text, p_request jsonb) returns text
language sql stable parallel safe
return (select d.decision from policy.decide(p_client_id, p_secret, p_request) as d);

-- The request object a write inside a Bundle or PUT / stands for, to check it as if it came on
-- its own: p_request's headers and client, the method, and a uri and params built from the
-- type and id alone (no query parameters), under /fhir when p_request is.
create function policy.route_request(p_request jsonb, p_method text, p_type text, p_id text) returns jsonb
language sql immutable parallel safe
return p_request || jsonb_build_object(
  'uri', case when p_request ->> 'uri' ~ '^/fhir(/|$)' then '/fhir' else '' end
         || '/' || coalesce(p_type, '') || coalesce('/' || p_id, ''),
  'request-method', lower(p_method),
  'params', jsonb_strip_nulls(jsonb_build_object('resource/type', p_type, 'resource/id', p_id)),
  'query-string', '');

-- The request a Bundle entry stands for: its request.method and request.url, the url parsed
-- as sluice.bundle_entry parses it.
create function policy.entry_request(p_request jsonb, p_entry jsonb) returns jsonb
language sql immutable parallel safe
return (select policy.route_request(p_request, p_entry #>> '{request,method}', u.segments[1], u.segments[2])
        from (select sluice.entry_url_segments(p_entry #>> '{request,url}')) as u(segments));

-- The entries of a Bundle (array p_entries) that client p_client_id, having sent p_request,
-- may not run. Each entry, read or write, is checked as the request it stands for
-- (policy.entry_request) and refused unless policy.allowed allows it: a policy that lets a
-- client POST a Bundle grants nothing about what the Bundle does. guarded says the entry
-- writes a guarded type (policy.writes_guarded_type), whose policy must name the type.
-- entry is 0-based.
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
