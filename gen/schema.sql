--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: policy; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA policy;


--
-- Name: sluice; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA sluice;


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: resource_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.resource_status AS ENUM (
    'created',
    'updated',
    'deleted',
    'recreated'
);


--
-- Name: accesspolicy_check(); Type: FUNCTION; Schema: policy; Owner: -
--

CREATE FUNCTION policy.accesspolicy_check() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: matcho(jsonb, jsonb); Type: FUNCTION; Schema: policy; Owner: -
--

CREATE FUNCTION policy.matcho(p_pattern jsonb, p_subject jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $_$
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
end $_$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: accesspolicy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accesspolicy (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'AccessPolicy'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: allowed(text, jsonb); Type: FUNCTION; Schema: policy; Owner: -
--

CREATE FUNCTION policy.allowed(p_client_id text, p_request jsonb) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (EXISTS (SELECT FROM public.accesspolicy ap WHERE (CASE COALESCE(jsonb_typeof((ap.resource -> 'link'::text)), 'null'::text) WHEN 'null'::text THEN true WHEN 'array'::text THEN (EXISTS (SELECT FROM jsonb_array_elements((ap.resource -> 'link'::text)) l(value) WHERE (((l.value ->> 'id'::text) = allowed.p_client_id) AND (COALESCE((l.value ->> 'resourceType'::text), 'Client'::text) = 'Client'::text)))) ELSE false END AND (((ap.resource ->> 'engine'::text) = 'allow'::text) OR (((ap.resource ->> 'engine'::text) = 'matcho'::text) AND policy.matcho((ap.resource -> 'matcho'::text), allowed.p_request))))));


--
-- Name: authenticate(text, text); Type: FUNCTION; Schema: policy; Owner: -
--

CREATE FUNCTION policy.authenticate(p_client_id text, p_secret text) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $_$
declare
  v_resource jsonb;
  v_stored   text;
  v_hash     text;
begin
  select c.resource into v_resource from public.client as c where c.id = p_client_id;
  if jsonb_typeof(v_resource -> 'secret') = 'string' then
    v_stored := v_resource ->> 'secret';
  end if;
  v_hash := public.crypt(coalesce(p_secret, ''), coalesce(v_stored, '$2a$06$' || repeat('.', 22)));
  return p_secret is not null
     and v_stored is not null
     and v_hash = v_stored
     and coalesce(v_resource -> 'grant_types' @> '["basic"]', false);
end $_$;


--
-- Name: authorize(text, text, jsonb); Type: FUNCTION; Schema: policy; Owner: -
--

CREATE FUNCTION policy.authorize(p_client_id text, p_secret text, p_request jsonb) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN (policy.authenticate(p_client_id, p_secret) IS NOT TRUE) THEN 'unauthenticated'::text WHEN (policy.allowed(p_client_id, p_request) IS TRUE) THEN 'allowed'::text ELSE 'forbidden'::text END;


--
-- Name: client_secret_hash(); Type: FUNCTION; Schema: policy; Owner: -
--

CREATE FUNCTION policy.client_secret_hash() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
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
      to_jsonb(public.crypt(v_secret #>> '{}', public.gen_salt('bf'))));
  end if;
  return new;
end $_$;


--
-- Name: matcho_check(jsonb, text); Type: FUNCTION; Schema: policy; Owner: -
--

CREATE FUNCTION policy.matcho_check(p_pattern jsonb, p_path text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    AS $_$
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
end $_$;


--
-- Name: bundle_entry(jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.bundle_entry(p_entry jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
declare
  v_method   text := upper(p_entry #>> '{request,method}');
  v_url      text := p_entry #>> '{request,url}';
  v_parts    text[];
  v_type     text;
  v_id       text;
  v_resource jsonb := p_entry -> 'resource';
  v_result   jsonb;
  v_status   text;
begin
  if v_method is null or v_url is null then
    raise exception using errcode = 'SL422', message = 'an entry needs request.method and request.url';
  end if;
  -- '/Patient/pt-1?x=y' -> {Patient, pt-1}
  v_parts := string_to_array(trim(both '/' from split_part(v_url, '?', 1)), '/');
  v_type := v_parts[1];
  v_id := v_parts[2];
  if cardinality(v_parts) > 2 or v_type = '' then
    raise exception using errcode = 'SL422', message = format('unsupported request.url %s', v_url);
  end if;
  if v_method in ('PUT', 'POST') and (v_resource is null or jsonb_typeof(v_resource) <> 'object') then
    raise exception using errcode = 'SL422', message = format('%s %s needs a resource object', v_method, v_url);
  end if;

  case
    when v_method = 'POST' and v_id is null then
      v_result := sluice.resource_write(v_type, null, v_resource, 'create');
      v_status := '201 Created';
    when v_method = 'PUT' and v_id is not null then
      v_result := sluice.resource_write(v_type, v_id, v_resource, 'update');
      v_status := case when v_result #>> '{meta,createdAt}' = v_result #>> '{meta,lastUpdated}'
                       then '201 Created' else '200 OK' end;
    when v_method = 'DELETE' and v_id is not null then
      v_result := sluice.resource_delete(v_type, v_id);
      v_status := '200 OK';
    when v_method = 'GET' and v_id is not null then
      v_result := sluice.resource_read(v_type, v_id);
      v_status := '200 OK';
    else
      raise exception using errcode = 'SL422', message = format('unsupported request %s %s', v_method, v_url);
  end case;
  return jsonb_build_object(
    'resource', v_result,
    'response', jsonb_build_object(
      'status', v_status,
      'location', format('%s/%s/_history/%s', v_type, v_result ->> 'id', v_result #>> '{meta,versionId}')));
end $$;


--
-- Name: create_resource_tables(text, text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.create_resource_tables(p_name text, p_kind text) RETURNS void
    LANGUAGE plpgsql
    AS $_$
declare
  v_table text := lower(p_name);
begin
  insert into sluice.resource_type (name, table_name, kind) values (p_name, v_table, p_kind);
  execute format($ddl$
    create table public.%1$I (
      id            text primary key,
      txid          bigint not null,
      cts           timestamptz not null default current_timestamp,
      ts            timestamptz not null default current_timestamp,
      resource_type text not null default %3$L,
      status        public.resource_status not null,
      resource      jsonb not null
    );
    create table public.%2$I (
      id            text not null,
      txid          bigint not null,
      cts           timestamptz not null,
      ts            timestamptz not null,
      resource_type text not null default %3$L,
      status        public.resource_status not null,
      resource      jsonb not null,
      primary key (id, txid)
    )$ddl$, v_table, v_table || '_history', p_name);
end $_$;


--
-- Name: dump_csv_paths(text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.dump_csv_paths(p_type text) RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    AS $$
begin
  return query execute format(
    'select distinct p.path
       from public.%I as t cross join lateral sluice.json_leaf_paths(t.resource) as p(path)
      where t.status <> ''deleted''
     union
     select unnest(array[''id'', ''resourceType''])', sluice.table_of(p_type));
end $$;


--
-- Name: iso_instant(timestamp with time zone); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.iso_instant(p_ts timestamp with time zone) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_char((p_ts AT TIME ZONE 'UTC'::text), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'::text);


--
-- Name: resource_full(text, text, bigint, timestamp with time zone, timestamp with time zone, jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.resource_full(p_type text, p_id text, p_txid bigint, p_cts timestamp with time zone, p_ts timestamp with time zone, p_resource jsonb) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (jsonb_build_object('resourceType', p_type, 'id', p_id, 'meta', (COALESCE((p_resource -> 'meta'::text), '{}'::jsonb) || jsonb_build_object('versionId', (p_txid)::text, 'lastUpdated', sluice.iso_instant(p_ts), 'createdAt', sluice.iso_instant(p_cts)))) || CASE WHEN (p_type = 'Client'::text) THEN ((p_resource - 'meta'::text) - 'secret'::text) ELSE (p_resource - 'meta'::text) END);


--
-- Name: dump_line(text, text, bigint, timestamp with time zone, timestamp with time zone, jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.dump_line(p_type text, p_id text, p_txid bigint, p_cts timestamp with time zone, p_ts timestamp with time zone, p_resource jsonb) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN ((p_type = 'Client'::text) OR (jsonb_typeof(p_resource) <> 'object'::text) OR (p_resource ? 'meta'::text)) THEN (sluice.resource_full(p_type, p_id, p_txid, p_cts, p_ts, p_resource))::text ELSE ((((((((((('{"resourceType": '::text || (to_json(p_type))::text) || ', "id": '::text) || (to_json(p_id))::text) || ', "meta": {"versionId": "'::text) || (p_txid)::text) || '", "lastUpdated": "'::text) || sluice.iso_instant(p_ts)) || '", "createdAt": "'::text) || sluice.iso_instant(p_cts)) || '"}'::text) || CASE WHEN (p_resource = '{}'::jsonb) THEN '}'::text ELSE (', '::text || convert_from(SUBSTRING(convert_to((p_resource)::text, 'UTF8'::name) FROM 2), 'UTF8'::name)) END) END;


--
-- Name: dump_sql_grant(); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.dump_sql_grant() RETURNS void
    LANGUAGE plpgsql
    AS $$
declare
  v_table text;
begin
  execute 'grant usage on schema public to sluice_reader';
  for v_table in select table_name from sluice.resource_type where name <> 'Client' order by 1 loop
    execute format('grant select on public.%I, public.%I to sluice_reader', v_table, v_table || '_history');
  end loop;
end $$;


--
-- Name: import_cancel(text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.import_cancel(p_id text) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
declare
  v_status jsonb := sluice.import_status(p_id);
begin
  if v_status ->> 'status' in ('finished', 'failed') then
    raise exception using errcode = 'SL409',
      message = format('BulkImportStatus/%s has already %s', p_id, v_status ->> 'status');
  end if;
  update sluice.import_job set cancelled = current_timestamp where id = p_id and cancelled is null;
  update sluice.import_input set status = 'cancelled', ts = current_timestamp
  where key in (select key from sluice.import_input
                where job_id = p_id and status = 'waiting'
                for update skip locked);
  return sluice.import_status(p_id);
end $$;


--
-- Name: import_create(text, jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.import_create(p_type text, p_request jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    AS $_$
declare
  v_id    text := p_request ->> 'id';
  v_input jsonb;
  v_index int := 0;
begin
  if jsonb_typeof(p_request) is distinct from 'object' then
    raise exception using errcode = 'SL422', message = '$import takes an object';
  end if;
  if v_id is null then
    v_id := gen_random_uuid()::text;
  elsif jsonb_typeof(p_request -> 'id') <> 'string' or not sluice.is_valid_id(v_id) then
    raise exception using errcode = 'SL422', message = format(
      'invalid id %s: an id is a string of 1 to 64 letters, digits, "-" and "."', p_request -> 'id');
  end if;
  if jsonb_typeof(p_request -> 'inputs') is distinct from 'array' or p_request -> 'inputs' = '[]' then
    raise exception using errcode = 'SL422', message = '$import needs inputs: [{resourceType, url}, ...]';
  end if;
  if p_request ? 'update' and jsonb_typeof(p_request -> 'update') <> 'boolean' then
    raise exception using errcode = 'SL422', message = 'update must be true or false';
  end if;
  insert into sluice.import_job (id, type, content_encoding, update, request)
  values (v_id, p_type, p_request ->> 'contentEncoding', coalesce((p_request ->> 'update')::boolean, false),
          p_request)
  on conflict (id) do nothing;
  if not found then
    raise exception using errcode = 'SL409', message = format('BulkImportStatus/%s already exists', v_id);
  end if;
  for v_input in select value from jsonb_array_elements(p_request -> 'inputs') loop
    if jsonb_typeof(v_input -> 'resourceType') is distinct from 'string'
       or jsonb_typeof(v_input -> 'url') is distinct from 'string' then
      raise exception using errcode = 'SL422',
        message = format('inputs[%s] needs a resourceType and a url', v_index);
    end if;
    if not exists (select from sluice.resource_type where name = v_input ->> 'resourceType') then
      raise exception using errcode = 'SL422',
        message = format('inputs[%s]: unknown resourceType %s', v_index, v_input ->> 'resourceType');
    end if;
    insert into sluice.import_input (job_id, position, resource_type, url)
    values (v_id, v_index, v_input ->> 'resourceType', v_input ->> 'url');
    v_index := v_index + 1;
  end loop;
  return sluice.import_status(v_id);
end $_$;


--
-- Name: import_running(bigint); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.import_running(p_key bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
  select coalesce(nullif(split_part(a.application_name, ':', 3), '')::bigint, p.tuples_processed, 0)
  from pg_catalog.pg_stat_activity a
  left join pg_catalog.pg_stat_progress_copy p on p.pid = a.pid
  where a.application_name = 'sluice-import:' || p_key
     or a.application_name like 'sluice-import:' || p_key || ':%'
  limit 1
$$;


--
-- Name: import_status(text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.import_status(p_id text) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
declare
  v_job    sluice.import_job;
  v_inputs jsonb;
  v_status text;
  v_end    timestamptz;
begin
  select * into v_job from sluice.import_job where id = p_id;
  if v_job.id is null then
    raise exception using errcode = 'SL404', message = format('BulkImportStatus/%s not found', p_id);
  end if;
  select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'resourceType', i.resource_type,
           'url', i.url,
           'status', i.shown,
           'total', coalesce(i.total, i.running),
           'duration', i.duration,
           'ts', sluice.iso_instant(i.ts),
           'error', i.error)) order by i.position),
         case
           when v_job.cancelled is not null then 'cancelled'
           when bool_or(i.shown in ('waiting', 'in-progress')) then 'active'
           when bool_or(i.shown = 'failed') then 'failed'
           else 'finished'
         end,
         max(i.ts)
    into v_inputs, v_status, v_end
  from (select r.*,
               case when r.running is not null then 'in-progress'
                    when r.status = 'waiting' and v_job.cancelled is not null then 'cancelled'
                    else r.status end as shown
        from (select x.*, case when x.status = 'waiting' then sluice.import_running(x.key) end as running
              from sluice.import_input x
              where x.job_id = p_id) r) i;
  return jsonb_strip_nulls(jsonb_build_object(
    'resourceType', 'BulkImportStatus',
    'id', v_job.id,
    'type', v_job.type,
    'status', v_status,
    'time', jsonb_build_object(
      'start', sluice.iso_instant(v_job.created),
      'end', case when v_status <> 'active' then sluice.iso_instant(coalesce(v_job.cancelled, v_end)) end),
    'contentEncoding', v_job.content_encoding,
    'update', v_job.update,
    'inputs', coalesce(v_inputs, '[]')));
end $$;


--
-- Name: is_valid_id(text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.is_valid_id(p_id text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (p_id ~ '^[A-Za-z0-9.-]{1,64}$'::text);


--
-- Name: json_leaf_paths(jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.json_leaf_paths(p_doc jsonb) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
 WITH RECURSIVE walk(path, value) AS (
          SELECT NULL::text AS text,
             json_leaf_paths.p_doc AS p_doc
         UNION ALL
          SELECT concat_ws('.'::text, w.path, e.key) AS concat_ws,
             e.value
            FROM (walk w
              CROSS JOIN LATERAL ( SELECT o.key,
                     o.value
                    FROM jsonb_each(
                         CASE
                             WHEN (jsonb_typeof(w.value) = 'object'::text) THEN w.value
                             ELSE NULL::jsonb
                         END) o(key, value)
                 UNION ALL
                  SELECT ((a.n - 1))::text AS text,
                     a.value
                    FROM jsonb_array_elements(
                         CASE
                             WHEN (jsonb_typeof(w.value) = 'array'::text) THEN w.value
                             ELSE NULL::jsonb
                         END) WITH ORDINALITY a(value, n)) e)
         )
  SELECT walk.path
    FROM walk
   WHERE (jsonb_typeof(walk.value) = ANY (ARRAY['string'::text, 'number'::text, 'boolean'::text]));
END;


--
-- Name: resource_body(jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.resource_body(p_resource jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ((p_resource -> 'meta'::text) IS NULL) THEN ((p_resource - 'id'::text) - 'resourceType'::text) WHEN ((jsonb_typeof((p_resource -> 'meta'::text)) = 'object'::text) AND (((((p_resource -> 'meta'::text) - 'versionId'::text) - 'lastUpdated'::text) - 'createdAt'::text) <> '{}'::jsonb)) THEN jsonb_set(((p_resource - 'id'::text) - 'resourceType'::text), '{meta}'::text[], ((((p_resource -> 'meta'::text) - 'versionId'::text) - 'lastUpdated'::text) - 'createdAt'::text)) ELSE (((p_resource - 'id'::text) - 'resourceType'::text) - 'meta'::text) END;


--
-- Name: load_body(jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.load_body(p_resource jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN (p_resource ? 'meta'::text) THEN sluice.resource_body(p_resource) ELSE (p_resource - '{id,resourceType}'::text[]) END;


--
-- Name: load_merge(text[], boolean, boolean, boolean, jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.load_merge(p_types text[], p_fhir boolean, p_update boolean, p_strip_nulls boolean, p_merge jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    AS $_$
declare
  v_type    text;
  v_line    bigint;
  v_expr    text := 's.resource';
  v_txid    bigint := nextval('public.transaction_id_seq');
  v_count   bigint;
  v_result  jsonb := '{}';
  v_message text;
  v_row     record;
  v_plain   boolean;
begin
  if p_merge is not null and jsonb_typeof(p_merge) <> 'object' then
    raise exception using errcode = 'SL422',
      message = format('merge must be an object, got %s', jsonb_typeof(p_merge));
  end if;
  if p_types is null then
    select coalesce(array_agg(distinct resource_type), '{}') into p_types
    from pg_temp.sluice_load where resource_type is not null;
  end if;
  foreach v_type in array p_types loop
    if not exists (select from sluice.resource_type where name = v_type) then
      select min(line_no) into v_line from pg_temp.sluice_load where resource_type = v_type;
      raise exception using errcode = 'SL422',
        message = format('line %s: unknown resourceType %s', v_line, v_type);
    end if;
  end loop;
  if p_fhir and to_regprocedure('fhir.from_fhir(jsonb)') is null then
    raise exception using errcode = 'SL501', message = 'FHIR-format loads need fhir.from_fhir, which this database does not have yet';
  end if;
  if cardinality(p_types) > 1 then
    create index on pg_temp.sluice_load (resource_type);
  end if;
  if cardinality(p_types) > 1 or p_update then
    analyze pg_temp.sluice_load;
  end if;

  -- The body expression: as staged for the Aidbox format (the proxy already took id,
  -- resourceType and the server's meta fields out), converted for FHIR.
  if p_strip_nulls then
    v_expr := format('jsonb_strip_nulls(%s)', v_expr);
  end if;
  if p_merge is not null then
    v_expr := format('(%s || $2)', v_expr);
    if not p_fhir then
      p_merge := p_merge - '{id,resourceType}'::text[];
    end if;
  end if;
  if p_fhir then
    v_expr := format('sluice.load_body(fhir.from_fhir(%s))', v_expr);
  end if;

  foreach v_type in array p_types loop
    execute format('select not exists (select from public.%I)', sluice.table_of(v_type)) into v_plain;
    begin
      v_count := sluice.load_merge_type(v_type, v_expr, p_merge, v_txid, p_update, v_plain);
    exception
      when cardinality_violation or unique_violation then
        -- An id on several lines (or written meanwhile by another transaction, when the
        -- table was empty): keep each id's last line, then upsert.
        delete from pg_temp.sluice_load s
        using (select id, max(line_no) as last_line from pg_temp.sluice_load
               where resource_type = v_type group by id having count(*) > 1) d
        where s.resource_type = v_type and s.id = d.id and s.line_no < d.last_line;
        v_count := sluice.load_merge_type(v_type, v_expr, p_merge, v_txid, p_update, false);
      when others then
        if not p_fhir then
          raise;
        end if;
        -- A line the conversion refuses: find it, so the error can name it.
        v_message := sqlerrm;
        for v_row in execute format(
            'select s.line_no, s.resource from pg_temp.sluice_load s where s.resource_type = $1 order by s.line_no')
            using v_type loop
          begin
            execute format('select %s from (select $1 as resource) s', v_expr) using v_row.resource, p_merge;
          exception when others then
            raise exception using errcode = 'SL422', message = format('line %s: %s', v_row.line_no, sqlerrm);
          end;
        end loop;
        raise;
    end;
    v_result := v_result || jsonb_build_object(v_type, v_count);
  end loop;
  return v_result;
end $_$;


--
-- Name: load_merge_type(text, text, jsonb, bigint, boolean, boolean); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.load_merge_type(p_type text, p_expr text, p_merge jsonb, p_txid bigint, p_update boolean, p_plain boolean) RETURNS bigint
    LANGUAGE plpgsql
    AS $_$
declare
  v_table text := sluice.table_of(p_type);
  v_count bigint;
begin
  if p_update then
    execute format($sql$
      insert into public.%I (id, txid, cts, ts, resource_type, status, resource)
      select t.id, t.txid, t.cts, t.ts, t.resource_type, t.status, t.resource
      from public.%I t
      where t.id in (select s.id from pg_temp.sluice_load s where s.resource_type = $1)$sql$,
      v_table || '_history', v_table)
      using p_type;
  end if;
  execute format($sql$
    insert into public.%I as t (id, txid, cts, ts, status, resource)
    select s.id, $3, coalesce(s.cts, current_timestamp), current_timestamp, 'created', %s
    from pg_temp.sluice_load s
    where s.resource_type = $1
    %s$sql$,
    v_table, p_expr,
    case when not p_plain then 'on conflict (id) do update
      set txid = excluded.txid, ts = excluded.ts, status = ''updated'', resource = excluded.resource' end)
    using p_type, p_merge, p_txid;
  get diagnostics v_count = row_count;
  return v_count;
end $_$;


--
-- Name: load_stage(); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.load_stage() RETURNS void
    LANGUAGE plpgsql
    AS $$
begin
  if to_regclass('pg_temp.sluice_load') is not null then
    drop table pg_temp.sluice_load;
  end if;
  create temp table sluice_load (
    line_no       bigint not null,
    resource_type text,
    id            text,
    cts           timestamptz,
    resource      jsonb
  ) on commit drop;
  -- ANALYZE (run for multi-type and update loads) then skips the documents themselves.
  alter table pg_temp.sluice_load alter column resource set statistics 0;
end $$;


--
-- Name: resource_check(text, jsonb, boolean); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.resource_check(p_type text, p_resource jsonb, p_allow_new_id boolean) RETURNS text
    LANGUAGE plpgsql
    AS $$
declare
  v_id jsonb := p_resource -> 'id';
begin
  if p_resource is null or jsonb_typeof(p_resource) <> 'object' then
    raise exception using errcode = 'SL422',
      message = format('a %s resource must be a JSON object, got %s', p_type,
                       coalesce(jsonb_typeof(p_resource), 'nothing'));
  end if;
  if p_resource ? 'resourceType' and p_resource -> 'resourceType' <> to_jsonb(p_type) then
    raise exception using errcode = 'SL422',
      message = format('resourceType %s does not match %s', p_resource -> 'resourceType', p_type);
  end if;
  if v_id is null and p_allow_new_id then
    return gen_random_uuid()::text;
  end if;
  if v_id is null or jsonb_typeof(v_id) <> 'string' or not sluice.is_valid_id(v_id #>> '{}') then
    raise exception using errcode = 'SL422',
      message = format('invalid id %s: an id is a string of 1 to 64 letters, digits, "-" and "."',
                       coalesce(v_id::text, '(missing)'));
  end if;
  return v_id #>> '{}';
end $$;


--
-- Name: resource_delete(text, text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.resource_delete(p_type text, p_id text) RETURNS jsonb
    LANGUAGE plpgsql
    AS $_$
declare
  v_table text := sluice.table_of(p_type);
  v_row   record;
begin
  execute format('delete from public.%I where id = $1 returning *', v_table) into v_row using p_id;
  if v_row is null then
    raise exception using errcode = 'SL404', message = format('%s/%s not found', p_type, p_id);
  end if;
  execute format('insert into public.%I (id, txid, cts, ts, resource_type, status, resource)
                  values ($1, $2, $3, $4, $5, $6, $7), ($1, $8, $3, current_timestamp, $5, ''deleted'', $7)',
                 v_table || '_history')
    using v_row.id, v_row.txid, v_row.cts, v_row.ts, v_row.resource_type, v_row.status,
          v_row.resource, nextval('public.transaction_id_seq');
  return sluice.resource_full(p_type, v_row.id, v_row.txid, v_row.cts, v_row.ts, v_row.resource);
end $_$;


--
-- Name: resource_read(text, text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.resource_read(p_type text, p_id text) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $_$
declare
  v_result jsonb;
begin
  execute format('select sluice.resource_full(resource_type, id, txid, cts, ts, resource)
                    from public.%I where id = $1', sluice.table_of(p_type))
    into v_result using p_id;
  if v_result is null then
    raise exception using errcode = 'SL404', message = format('%s/%s not found', p_type, p_id);
  end if;
  return v_result;
end $_$;


--
-- Name: resource_write(text, text, jsonb, text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.resource_write(p_type text, p_id text, p_resource jsonb, p_mode text) RETURNS jsonb
    LANGUAGE plpgsql
    AS $_$
declare
  v_table   text := sluice.table_of(p_type);
  v_id      text;
  v_body    jsonb;
  v_txid    bigint := nextval('public.transaction_id_seq');
  v_exists  boolean;
  v_deleted boolean;
  v_row     record;
begin
  if p_mode not in ('create', 'update') then
    raise exception 'resource_write: unknown mode %', p_mode;
  end if;
  if p_id is not null then
    if not sluice.is_valid_id(p_id) then
      raise exception using errcode = 'SL422', message = format(
        'invalid id %s: an id is a string of 1 to 64 letters, digits, "-" and "."', p_id);
    end if;
    if p_resource ? 'id' and p_resource -> 'id' <> to_jsonb(p_id) then
      raise exception using errcode = 'SL422',
        message = format('the body''s id %s does not match the URL''s id %s', p_resource -> 'id', p_id);
    end if;
    p_resource := p_resource || jsonb_build_object('id', p_id);
  end if;
  v_id := sluice.resource_check(p_type, p_resource, p_mode = 'create');
  v_body := sluice.resource_body(p_resource);

  -- Lock the live row, if any, so concurrent writers of one id serialise. Two concurrent
  -- creates of a new id both find nothing to lock: the loser gets unique_violation (409).
  execute format('select true from public.%I where id = $1 for update', v_table)
    into v_exists using v_id;
  if v_exists and p_mode = 'create' then
    raise exception using errcode = 'SL409', message = format('%s/%s already exists', p_type, v_id);
  end if;

  if v_exists then
    execute format('insert into public.%I (id, txid, cts, ts, resource_type, status, resource)
                      select id, txid, cts, ts, resource_type, status, resource
                      from public.%I where id = $1', v_table || '_history', v_table)
      using v_id;
    execute format('update public.%I set txid = $2, ts = current_timestamp, status = ''updated'',
                      resource = $3 where id = $1
                    returning id, txid, cts, ts, resource', v_table)
      into v_row using v_id, v_txid, v_body;
  else
    execute format('select exists (select from public.%I where id = $1 and status = ''deleted'')',
                   v_table || '_history')
      into v_deleted using v_id;
    execute format('insert into public.%I (id, txid, status, resource) values ($1, $2, $3, $4)
                    returning id, txid, cts, ts, resource', v_table)
      into v_row
      using v_id, v_txid,
            case when v_deleted then 'recreated' else 'created' end::public.resource_status, v_body;
  end if;
  return sluice.resource_full(p_type, v_row.id, v_row.txid, v_row.cts, v_row.ts, v_row.resource);
end $_$;


--
-- Name: resources_put(jsonb); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.resources_put(p_resources jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
declare
  v_result jsonb := '[]';
  v_item   jsonb;
  v_index  int := 0;
begin
  if jsonb_typeof(p_resources) is distinct from 'array' then
    raise exception using errcode = 'SL422',
      message = format('PUT / takes an array of resources, got %s', coalesce(jsonb_typeof(p_resources), 'nothing'));
  end if;
  for v_item in select value from jsonb_array_elements(p_resources) loop
    if jsonb_typeof(v_item) <> 'object' or jsonb_typeof(v_item -> 'resourceType') is distinct from 'string' then
      raise exception using errcode = 'SL422',
        message = format('item %s: a resource needs a string resourceType', v_index);
    end if;
    v_result := v_result || jsonb_build_array(
      sluice.resource_write(v_item ->> 'resourceType', null, v_item, 'update'));
    v_index := v_index + 1;
  end loop;
  return v_result;
end $$;


--
-- Name: table_of(text); Type: FUNCTION; Schema: sluice; Owner: -
--

CREATE FUNCTION sluice.table_of(p_type text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
declare
  v_table text;
begin
  select table_name into v_table from sluice.resource_type where name = p_type;
  if v_table is null then
    raise exception using errcode = 'SL404',
      message = format('unknown resource type %s', coalesce(p_type, 'null'));
  end if;
  return v_table;
end $$;


--
-- Name: accesspolicy_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accesspolicy_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'AccessPolicy'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: account; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.account (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Account'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: account_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.account_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Account'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: activitydefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.activitydefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ActivityDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: activitydefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.activitydefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ActivityDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: adverseevent; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.adverseevent (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'AdverseEvent'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: adverseevent_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.adverseevent_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'AdverseEvent'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: allergyintolerance; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.allergyintolerance (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'AllergyIntolerance'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: allergyintolerance_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.allergyintolerance_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'AllergyIntolerance'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: appointment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.appointment (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Appointment'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: appointment_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.appointment_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Appointment'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: appointmentresponse; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.appointmentresponse (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'AppointmentResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: appointmentresponse_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.appointmentresponse_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'AppointmentResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: attribute; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attribute (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Attribute'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: attribute_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attribute_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Attribute'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: auditevent; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.auditevent (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'AuditEvent'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: auditevent_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.auditevent_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'AuditEvent'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: basic; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.basic (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Basic'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: basic_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.basic_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Basic'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: binary; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."binary" (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Binary'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: binary_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.binary_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Binary'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: biologicallyderivedproduct; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.biologicallyderivedproduct (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'BiologicallyDerivedProduct'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: biologicallyderivedproduct_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.biologicallyderivedproduct_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'BiologicallyDerivedProduct'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: bodystructure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bodystructure (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'BodyStructure'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: bodystructure_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bodystructure_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'BodyStructure'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: bulkimportstatus; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bulkimportstatus (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'BulkImportStatus'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: bulkimportstatus_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bulkimportstatus_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'BulkImportStatus'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: bundle; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bundle (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Bundle'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: bundle_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bundle_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Bundle'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: capabilitystatement; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.capabilitystatement (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CapabilityStatement'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: capabilitystatement_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.capabilitystatement_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CapabilityStatement'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: careplan; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.careplan (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CarePlan'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: careplan_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.careplan_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CarePlan'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: careteam; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.careteam (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CareTeam'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: careteam_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.careteam_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CareTeam'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: catalogentry; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.catalogentry (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CatalogEntry'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: catalogentry_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.catalogentry_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CatalogEntry'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: chargeitem; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chargeitem (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ChargeItem'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: chargeitem_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chargeitem_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ChargeItem'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: chargeitemdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chargeitemdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ChargeItemDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: chargeitemdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chargeitemdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ChargeItemDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: claim; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.claim (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Claim'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: claim_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.claim_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Claim'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: claimresponse; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.claimresponse (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ClaimResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: claimresponse_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.claimresponse_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ClaimResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: client; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Client'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: client_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Client'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: clinicalimpression; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.clinicalimpression (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ClinicalImpression'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: clinicalimpression_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.clinicalimpression_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ClinicalImpression'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: codesystem; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.codesystem (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CodeSystem'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: codesystem_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.codesystem_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CodeSystem'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: communication; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.communication (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Communication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: communication_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.communication_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Communication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: communicationrequest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.communicationrequest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CommunicationRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: communicationrequest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.communicationrequest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CommunicationRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: compartmentdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.compartmentdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CompartmentDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: compartmentdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.compartmentdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CompartmentDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: composition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.composition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Composition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: composition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.composition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Composition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: conceptmap; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conceptmap (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ConceptMap'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: conceptmap_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conceptmap_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ConceptMap'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: condition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.condition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Condition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: condition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.condition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Condition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: consent; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consent (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Consent'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: consent_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consent_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Consent'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: contract; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contract (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Contract'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: contract_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contract_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Contract'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: coverage; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coverage (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Coverage'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: coverage_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coverage_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Coverage'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: coverageeligibilityrequest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coverageeligibilityrequest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CoverageEligibilityRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: coverageeligibilityrequest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coverageeligibilityrequest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CoverageEligibilityRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: coverageeligibilityresponse; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coverageeligibilityresponse (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'CoverageEligibilityResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: coverageeligibilityresponse_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coverageeligibilityresponse_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'CoverageEligibilityResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: detectedissue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.detectedissue (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DetectedIssue'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: detectedissue_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.detectedissue_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DetectedIssue'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: device; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.device (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Device'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: device_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.device_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Device'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: devicedefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.devicedefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DeviceDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: devicedefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.devicedefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DeviceDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: devicemetric; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.devicemetric (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DeviceMetric'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: devicemetric_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.devicemetric_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DeviceMetric'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: devicerequest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.devicerequest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DeviceRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: devicerequest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.devicerequest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DeviceRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: deviceusestatement; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deviceusestatement (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DeviceUseStatement'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: deviceusestatement_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deviceusestatement_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DeviceUseStatement'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: diagnosticreport; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.diagnosticreport (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DiagnosticReport'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: diagnosticreport_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.diagnosticreport_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DiagnosticReport'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: documentmanifest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.documentmanifest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DocumentManifest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: documentmanifest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.documentmanifest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DocumentManifest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: documentreference; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.documentreference (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'DocumentReference'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: documentreference_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.documentreference_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'DocumentReference'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: effectevidencesynthesis; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.effectevidencesynthesis (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'EffectEvidenceSynthesis'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: effectevidencesynthesis_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.effectevidencesynthesis_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'EffectEvidenceSynthesis'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: encounter; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.encounter (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Encounter'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: encounter_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.encounter_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Encounter'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: endpoint; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.endpoint (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Endpoint'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: endpoint_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.endpoint_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Endpoint'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: enrollmentrequest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enrollmentrequest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'EnrollmentRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: enrollmentrequest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enrollmentrequest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'EnrollmentRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: enrollmentresponse; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enrollmentresponse (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'EnrollmentResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: enrollmentresponse_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enrollmentresponse_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'EnrollmentResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: episodeofcare; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.episodeofcare (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'EpisodeOfCare'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: episodeofcare_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.episodeofcare_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'EpisodeOfCare'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: eventdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.eventdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'EventDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: eventdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.eventdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'EventDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: evidence; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.evidence (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Evidence'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: evidence_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.evidence_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Evidence'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: evidencevariable; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.evidencevariable (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'EvidenceVariable'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: evidencevariable_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.evidencevariable_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'EvidenceVariable'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: examplescenario; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.examplescenario (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ExampleScenario'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: examplescenario_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.examplescenario_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ExampleScenario'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: explanationofbenefit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.explanationofbenefit (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ExplanationOfBenefit'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: explanationofbenefit_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.explanationofbenefit_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ExplanationOfBenefit'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: familymemberhistory; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.familymemberhistory (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'FamilyMemberHistory'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: familymemberhistory_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.familymemberhistory_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'FamilyMemberHistory'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: flag; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.flag (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Flag'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: flag_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.flag_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Flag'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: goal; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.goal (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Goal'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: goal_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.goal_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Goal'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: graphdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.graphdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'GraphDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: graphdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.graphdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'GraphDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: group; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."group" (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Group'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: group_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.group_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Group'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: guidanceresponse; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.guidanceresponse (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'GuidanceResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: guidanceresponse_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.guidanceresponse_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'GuidanceResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: healthcareservice; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.healthcareservice (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'HealthcareService'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: healthcareservice_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.healthcareservice_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'HealthcareService'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: imagingstudy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagingstudy (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ImagingStudy'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: imagingstudy_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagingstudy_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ImagingStudy'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: immunization; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.immunization (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Immunization'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: immunization_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.immunization_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Immunization'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: immunizationevaluation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.immunizationevaluation (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ImmunizationEvaluation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: immunizationevaluation_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.immunizationevaluation_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ImmunizationEvaluation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: immunizationrecommendation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.immunizationrecommendation (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ImmunizationRecommendation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: immunizationrecommendation_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.immunizationrecommendation_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ImmunizationRecommendation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: implementationguide; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.implementationguide (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ImplementationGuide'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: implementationguide_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.implementationguide_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ImplementationGuide'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: insuranceplan; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.insuranceplan (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'InsurancePlan'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: insuranceplan_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.insuranceplan_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'InsurancePlan'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: invoice; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoice (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Invoice'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: invoice_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoice_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Invoice'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: library; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.library (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Library'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: library_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.library_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Library'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: linkage; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.linkage (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Linkage'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: linkage_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.linkage_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Linkage'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: list; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.list (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'List'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: list_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.list_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'List'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: location; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.location (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Location'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: location_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.location_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Location'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: measure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.measure (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Measure'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: measure_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.measure_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Measure'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: measurereport; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.measurereport (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MeasureReport'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: measurereport_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.measurereport_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MeasureReport'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: media; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.media (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Media'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: media_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.media_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Media'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medication; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medication (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Medication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medication_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medication_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Medication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationadministration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationadministration (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicationAdministration'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationadministration_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationadministration_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicationAdministration'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationdispense; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationdispense (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicationDispense'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationdispense_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationdispense_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicationDispense'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationknowledge; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationknowledge (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicationKnowledge'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationknowledge_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationknowledge_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicationKnowledge'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationrequest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationrequest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicationRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationrequest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationrequest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicationRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationstatement; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationstatement (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicationStatement'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicationstatement_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicationstatement_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicationStatement'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproduct; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproduct (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProduct'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproduct_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproduct_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProduct'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductauthorization; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductauthorization (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductAuthorization'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductauthorization_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductauthorization_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductAuthorization'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductcontraindication; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductcontraindication (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductContraindication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductcontraindication_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductcontraindication_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductContraindication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductindication; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductindication (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductIndication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductindication_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductindication_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductIndication'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductingredient; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductingredient (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductIngredient'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductingredient_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductingredient_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductIngredient'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductinteraction; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductinteraction (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductInteraction'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductinteraction_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductinteraction_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductInteraction'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductmanufactured; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductmanufactured (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductManufactured'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductmanufactured_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductmanufactured_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductManufactured'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductpackaged; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductpackaged (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductPackaged'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductpackaged_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductpackaged_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductPackaged'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductpharmaceutical; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductpharmaceutical (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductPharmaceutical'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductpharmaceutical_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductpharmaceutical_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductPharmaceutical'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductundesirableeffect; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductundesirableeffect (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MedicinalProductUndesirableEffect'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: medicinalproductundesirableeffect_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.medicinalproductundesirableeffect_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MedicinalProductUndesirableEffect'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: messagedefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messagedefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MessageDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: messagedefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messagedefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MessageDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: messageheader; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messageheader (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MessageHeader'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: messageheader_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messageheader_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MessageHeader'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: molecularsequence; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.molecularsequence (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'MolecularSequence'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: molecularsequence_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.molecularsequence_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'MolecularSequence'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: namingsystem; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.namingsystem (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'NamingSystem'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: namingsystem_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.namingsystem_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'NamingSystem'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: nutritionorder; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nutritionorder (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'NutritionOrder'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: nutritionorder_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nutritionorder_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'NutritionOrder'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: observation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.observation (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Observation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: observation_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.observation_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Observation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: observationdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.observationdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ObservationDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: observationdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.observationdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ObservationDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: operationdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.operationdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'OperationDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: operationdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.operationdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'OperationDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: operationoutcome; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.operationoutcome (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'OperationOutcome'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: operationoutcome_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.operationoutcome_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'OperationOutcome'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: organization; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organization (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Organization'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: organization_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organization_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Organization'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: organizationaffiliation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organizationaffiliation (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'OrganizationAffiliation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: organizationaffiliation_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organizationaffiliation_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'OrganizationAffiliation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: parameters; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.parameters (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Parameters'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: parameters_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.parameters_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Parameters'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: patient; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.patient (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Patient'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: patient_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.patient_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Patient'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: paymentnotice; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.paymentnotice (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'PaymentNotice'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: paymentnotice_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.paymentnotice_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'PaymentNotice'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: paymentreconciliation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.paymentreconciliation (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'PaymentReconciliation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: paymentreconciliation_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.paymentreconciliation_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'PaymentReconciliation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: person; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.person (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Person'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: person_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.person_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Person'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: plandefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.plandefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'PlanDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: plandefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.plandefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'PlanDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: practitioner; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.practitioner (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Practitioner'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: practitioner_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.practitioner_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Practitioner'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: practitionerrole; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.practitionerrole (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'PractitionerRole'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: practitionerrole_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.practitionerrole_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'PractitionerRole'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: procedure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procedure (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Procedure'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: procedure_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procedure_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Procedure'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: provenance; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.provenance (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Provenance'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: provenance_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.provenance_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Provenance'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: questionnaire; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.questionnaire (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Questionnaire'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: questionnaire_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.questionnaire_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Questionnaire'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: questionnaireresponse; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.questionnaireresponse (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'QuestionnaireResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: questionnaireresponse_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.questionnaireresponse_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'QuestionnaireResponse'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: relatedperson; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.relatedperson (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'RelatedPerson'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: relatedperson_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.relatedperson_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'RelatedPerson'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: requestgroup; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.requestgroup (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'RequestGroup'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: requestgroup_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.requestgroup_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'RequestGroup'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ResearchDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ResearchDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchelementdefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchelementdefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ResearchElementDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchelementdefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchelementdefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ResearchElementDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchstudy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchstudy (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ResearchStudy'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchstudy_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchstudy_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ResearchStudy'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchsubject; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchsubject (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ResearchSubject'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: researchsubject_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.researchsubject_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ResearchSubject'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: riskassessment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.riskassessment (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'RiskAssessment'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: riskassessment_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.riskassessment_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'RiskAssessment'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: riskevidencesynthesis; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.riskevidencesynthesis (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'RiskEvidenceSynthesis'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: riskevidencesynthesis_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.riskevidencesynthesis_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'RiskEvidenceSynthesis'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: schedule; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schedule (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Schedule'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: schedule_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schedule_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Schedule'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: searchparameter; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.searchparameter (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SearchParameter'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: searchparameter_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.searchparameter_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SearchParameter'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: servicerequest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.servicerequest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ServiceRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: servicerequest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.servicerequest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ServiceRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: slot; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.slot (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Slot'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: slot_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.slot_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Slot'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: specimen; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.specimen (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Specimen'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: specimen_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.specimen_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Specimen'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: specimendefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.specimendefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SpecimenDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: specimendefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.specimendefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SpecimenDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: structuredefinition; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.structuredefinition (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'StructureDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: structuredefinition_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.structuredefinition_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'StructureDefinition'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: structuremap; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.structuremap (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'StructureMap'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: structuremap_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.structuremap_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'StructureMap'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: subscription; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.subscription (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Subscription'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: subscription_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.subscription_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Subscription'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substance; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substance (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Substance'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substance_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substance_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Substance'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancenucleicacid; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancenucleicacid (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SubstanceNucleicAcid'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancenucleicacid_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancenucleicacid_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SubstanceNucleicAcid'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancepolymer; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancepolymer (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SubstancePolymer'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancepolymer_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancepolymer_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SubstancePolymer'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substanceprotein; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substanceprotein (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SubstanceProtein'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substanceprotein_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substanceprotein_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SubstanceProtein'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancereferenceinformation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancereferenceinformation (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SubstanceReferenceInformation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancereferenceinformation_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancereferenceinformation_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SubstanceReferenceInformation'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancesourcematerial; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancesourcematerial (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SubstanceSourceMaterial'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancesourcematerial_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancesourcematerial_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SubstanceSourceMaterial'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancespecification; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancespecification (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SubstanceSpecification'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: substancespecification_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.substancespecification_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SubstanceSpecification'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: supplydelivery; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.supplydelivery (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SupplyDelivery'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: supplydelivery_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.supplydelivery_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SupplyDelivery'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: supplyrequest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.supplyrequest (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'SupplyRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: supplyrequest_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.supplyrequest_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'SupplyRequest'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: task; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'Task'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: task_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'Task'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: terminologycapabilities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.terminologycapabilities (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'TerminologyCapabilities'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: terminologycapabilities_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.terminologycapabilities_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'TerminologyCapabilities'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: testreport; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.testreport (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'TestReport'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: testreport_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.testreport_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'TestReport'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: testscript; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.testscript (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'TestScript'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: testscript_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.testscript_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'TestScript'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: transaction_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.transaction_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: valueset; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.valueset (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'ValueSet'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: valueset_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.valueset_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'ValueSet'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: verificationresult; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.verificationresult (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'VerificationResult'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: verificationresult_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.verificationresult_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'VerificationResult'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: visionprescription; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.visionprescription (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ts timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    resource_type text DEFAULT 'VisionPrescription'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: visionprescription_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.visionprescription_history (
    id text NOT NULL,
    txid bigint NOT NULL,
    cts timestamp with time zone NOT NULL,
    ts timestamp with time zone NOT NULL,
    resource_type text DEFAULT 'VisionPrescription'::text NOT NULL,
    status public.resource_status NOT NULL,
    resource jsonb NOT NULL
);


--
-- Name: import_input; Type: TABLE; Schema: sluice; Owner: -
--

CREATE TABLE sluice.import_input (
    key bigint NOT NULL,
    job_id text NOT NULL,
    "position" integer NOT NULL,
    resource_type text NOT NULL,
    url text NOT NULL,
    status text DEFAULT 'waiting'::text NOT NULL,
    total bigint,
    duration bigint,
    ts timestamp with time zone,
    error text,
    CONSTRAINT import_input_status_check CHECK ((status = ANY (ARRAY['waiting'::text, 'finished'::text, 'failed'::text, 'cancelled'::text])))
);


--
-- Name: import_input_key_seq; Type: SEQUENCE; Schema: sluice; Owner: -
--

ALTER TABLE sluice.import_input ALTER COLUMN key ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME sluice.import_input_key_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: import_job; Type: TABLE; Schema: sluice; Owner: -
--

CREATE TABLE sluice.import_job (
    id text NOT NULL,
    type text NOT NULL,
    content_encoding text,
    update boolean DEFAULT false NOT NULL,
    request jsonb NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    cancelled timestamp with time zone,
    CONSTRAINT import_job_type_check CHECK ((type = ANY (ARRAY['aidbox'::text, 'fhir'::text])))
);


--
-- Name: resource_type; Type: TABLE; Schema: sluice; Owner: -
--

CREATE TABLE sluice.resource_type (
    name text NOT NULL,
    table_name text NOT NULL,
    kind text NOT NULL,
    CONSTRAINT resource_type_kind_check CHECK ((kind = ANY (ARRAY['fhir'::text, 'system'::text])))
);


--
-- Name: accesspolicy_history accesspolicy_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesspolicy_history
    ADD CONSTRAINT accesspolicy_history_pkey PRIMARY KEY (id, txid);


--
-- Name: accesspolicy accesspolicy_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesspolicy
    ADD CONSTRAINT accesspolicy_pkey PRIMARY KEY (id);


--
-- Name: account_history account_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.account_history
    ADD CONSTRAINT account_history_pkey PRIMARY KEY (id, txid);


--
-- Name: account account_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.account
    ADD CONSTRAINT account_pkey PRIMARY KEY (id);


--
-- Name: activitydefinition_history activitydefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.activitydefinition_history
    ADD CONSTRAINT activitydefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: activitydefinition activitydefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.activitydefinition
    ADD CONSTRAINT activitydefinition_pkey PRIMARY KEY (id);


--
-- Name: adverseevent_history adverseevent_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.adverseevent_history
    ADD CONSTRAINT adverseevent_history_pkey PRIMARY KEY (id, txid);


--
-- Name: adverseevent adverseevent_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.adverseevent
    ADD CONSTRAINT adverseevent_pkey PRIMARY KEY (id);


--
-- Name: allergyintolerance_history allergyintolerance_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.allergyintolerance_history
    ADD CONSTRAINT allergyintolerance_history_pkey PRIMARY KEY (id, txid);


--
-- Name: allergyintolerance allergyintolerance_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.allergyintolerance
    ADD CONSTRAINT allergyintolerance_pkey PRIMARY KEY (id);


--
-- Name: appointment_history appointment_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointment_history
    ADD CONSTRAINT appointment_history_pkey PRIMARY KEY (id, txid);


--
-- Name: appointment appointment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointment
    ADD CONSTRAINT appointment_pkey PRIMARY KEY (id);


--
-- Name: appointmentresponse_history appointmentresponse_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointmentresponse_history
    ADD CONSTRAINT appointmentresponse_history_pkey PRIMARY KEY (id, txid);


--
-- Name: appointmentresponse appointmentresponse_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointmentresponse
    ADD CONSTRAINT appointmentresponse_pkey PRIMARY KEY (id);


--
-- Name: attribute_history attribute_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attribute_history
    ADD CONSTRAINT attribute_history_pkey PRIMARY KEY (id, txid);


--
-- Name: attribute attribute_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attribute
    ADD CONSTRAINT attribute_pkey PRIMARY KEY (id);


--
-- Name: auditevent_history auditevent_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auditevent_history
    ADD CONSTRAINT auditevent_history_pkey PRIMARY KEY (id, txid);


--
-- Name: auditevent auditevent_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auditevent
    ADD CONSTRAINT auditevent_pkey PRIMARY KEY (id);


--
-- Name: basic_history basic_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.basic_history
    ADD CONSTRAINT basic_history_pkey PRIMARY KEY (id, txid);


--
-- Name: basic basic_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.basic
    ADD CONSTRAINT basic_pkey PRIMARY KEY (id);


--
-- Name: binary_history binary_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.binary_history
    ADD CONSTRAINT binary_history_pkey PRIMARY KEY (id, txid);


--
-- Name: binary binary_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."binary"
    ADD CONSTRAINT binary_pkey PRIMARY KEY (id);


--
-- Name: biologicallyderivedproduct_history biologicallyderivedproduct_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.biologicallyderivedproduct_history
    ADD CONSTRAINT biologicallyderivedproduct_history_pkey PRIMARY KEY (id, txid);


--
-- Name: biologicallyderivedproduct biologicallyderivedproduct_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.biologicallyderivedproduct
    ADD CONSTRAINT biologicallyderivedproduct_pkey PRIMARY KEY (id);


--
-- Name: bodystructure_history bodystructure_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bodystructure_history
    ADD CONSTRAINT bodystructure_history_pkey PRIMARY KEY (id, txid);


--
-- Name: bodystructure bodystructure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bodystructure
    ADD CONSTRAINT bodystructure_pkey PRIMARY KEY (id);


--
-- Name: bulkimportstatus_history bulkimportstatus_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bulkimportstatus_history
    ADD CONSTRAINT bulkimportstatus_history_pkey PRIMARY KEY (id, txid);


--
-- Name: bulkimportstatus bulkimportstatus_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bulkimportstatus
    ADD CONSTRAINT bulkimportstatus_pkey PRIMARY KEY (id);


--
-- Name: bundle_history bundle_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bundle_history
    ADD CONSTRAINT bundle_history_pkey PRIMARY KEY (id, txid);


--
-- Name: bundle bundle_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bundle
    ADD CONSTRAINT bundle_pkey PRIMARY KEY (id);


--
-- Name: capabilitystatement_history capabilitystatement_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.capabilitystatement_history
    ADD CONSTRAINT capabilitystatement_history_pkey PRIMARY KEY (id, txid);


--
-- Name: capabilitystatement capabilitystatement_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.capabilitystatement
    ADD CONSTRAINT capabilitystatement_pkey PRIMARY KEY (id);


--
-- Name: careplan_history careplan_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.careplan_history
    ADD CONSTRAINT careplan_history_pkey PRIMARY KEY (id, txid);


--
-- Name: careplan careplan_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.careplan
    ADD CONSTRAINT careplan_pkey PRIMARY KEY (id);


--
-- Name: careteam_history careteam_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.careteam_history
    ADD CONSTRAINT careteam_history_pkey PRIMARY KEY (id, txid);


--
-- Name: careteam careteam_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.careteam
    ADD CONSTRAINT careteam_pkey PRIMARY KEY (id);


--
-- Name: catalogentry_history catalogentry_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.catalogentry_history
    ADD CONSTRAINT catalogentry_history_pkey PRIMARY KEY (id, txid);


--
-- Name: catalogentry catalogentry_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.catalogentry
    ADD CONSTRAINT catalogentry_pkey PRIMARY KEY (id);


--
-- Name: chargeitem_history chargeitem_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chargeitem_history
    ADD CONSTRAINT chargeitem_history_pkey PRIMARY KEY (id, txid);


--
-- Name: chargeitem chargeitem_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chargeitem
    ADD CONSTRAINT chargeitem_pkey PRIMARY KEY (id);


--
-- Name: chargeitemdefinition_history chargeitemdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chargeitemdefinition_history
    ADD CONSTRAINT chargeitemdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: chargeitemdefinition chargeitemdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chargeitemdefinition
    ADD CONSTRAINT chargeitemdefinition_pkey PRIMARY KEY (id);


--
-- Name: claim_history claim_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.claim_history
    ADD CONSTRAINT claim_history_pkey PRIMARY KEY (id, txid);


--
-- Name: claim claim_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.claim
    ADD CONSTRAINT claim_pkey PRIMARY KEY (id);


--
-- Name: claimresponse_history claimresponse_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.claimresponse_history
    ADD CONSTRAINT claimresponse_history_pkey PRIMARY KEY (id, txid);


--
-- Name: claimresponse claimresponse_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.claimresponse
    ADD CONSTRAINT claimresponse_pkey PRIMARY KEY (id);


--
-- Name: client_history client_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_history
    ADD CONSTRAINT client_history_pkey PRIMARY KEY (id, txid);


--
-- Name: client client_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client
    ADD CONSTRAINT client_pkey PRIMARY KEY (id);


--
-- Name: clinicalimpression_history clinicalimpression_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clinicalimpression_history
    ADD CONSTRAINT clinicalimpression_history_pkey PRIMARY KEY (id, txid);


--
-- Name: clinicalimpression clinicalimpression_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clinicalimpression
    ADD CONSTRAINT clinicalimpression_pkey PRIMARY KEY (id);


--
-- Name: codesystem_history codesystem_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.codesystem_history
    ADD CONSTRAINT codesystem_history_pkey PRIMARY KEY (id, txid);


--
-- Name: codesystem codesystem_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.codesystem
    ADD CONSTRAINT codesystem_pkey PRIMARY KEY (id);


--
-- Name: communication_history communication_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.communication_history
    ADD CONSTRAINT communication_history_pkey PRIMARY KEY (id, txid);


--
-- Name: communication communication_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.communication
    ADD CONSTRAINT communication_pkey PRIMARY KEY (id);


--
-- Name: communicationrequest_history communicationrequest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.communicationrequest_history
    ADD CONSTRAINT communicationrequest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: communicationrequest communicationrequest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.communicationrequest
    ADD CONSTRAINT communicationrequest_pkey PRIMARY KEY (id);


--
-- Name: compartmentdefinition_history compartmentdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.compartmentdefinition_history
    ADD CONSTRAINT compartmentdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: compartmentdefinition compartmentdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.compartmentdefinition
    ADD CONSTRAINT compartmentdefinition_pkey PRIMARY KEY (id);


--
-- Name: composition_history composition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.composition_history
    ADD CONSTRAINT composition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: composition composition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.composition
    ADD CONSTRAINT composition_pkey PRIMARY KEY (id);


--
-- Name: conceptmap_history conceptmap_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conceptmap_history
    ADD CONSTRAINT conceptmap_history_pkey PRIMARY KEY (id, txid);


--
-- Name: conceptmap conceptmap_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conceptmap
    ADD CONSTRAINT conceptmap_pkey PRIMARY KEY (id);


--
-- Name: condition_history condition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.condition_history
    ADD CONSTRAINT condition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: condition condition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.condition
    ADD CONSTRAINT condition_pkey PRIMARY KEY (id);


--
-- Name: consent_history consent_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent_history
    ADD CONSTRAINT consent_history_pkey PRIMARY KEY (id, txid);


--
-- Name: consent consent_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent
    ADD CONSTRAINT consent_pkey PRIMARY KEY (id);


--
-- Name: contract_history contract_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contract_history
    ADD CONSTRAINT contract_history_pkey PRIMARY KEY (id, txid);


--
-- Name: contract contract_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contract
    ADD CONSTRAINT contract_pkey PRIMARY KEY (id);


--
-- Name: coverage_history coverage_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coverage_history
    ADD CONSTRAINT coverage_history_pkey PRIMARY KEY (id, txid);


--
-- Name: coverage coverage_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coverage
    ADD CONSTRAINT coverage_pkey PRIMARY KEY (id);


--
-- Name: coverageeligibilityrequest_history coverageeligibilityrequest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coverageeligibilityrequest_history
    ADD CONSTRAINT coverageeligibilityrequest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: coverageeligibilityrequest coverageeligibilityrequest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coverageeligibilityrequest
    ADD CONSTRAINT coverageeligibilityrequest_pkey PRIMARY KEY (id);


--
-- Name: coverageeligibilityresponse_history coverageeligibilityresponse_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coverageeligibilityresponse_history
    ADD CONSTRAINT coverageeligibilityresponse_history_pkey PRIMARY KEY (id, txid);


--
-- Name: coverageeligibilityresponse coverageeligibilityresponse_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coverageeligibilityresponse
    ADD CONSTRAINT coverageeligibilityresponse_pkey PRIMARY KEY (id);


--
-- Name: detectedissue_history detectedissue_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.detectedissue_history
    ADD CONSTRAINT detectedissue_history_pkey PRIMARY KEY (id, txid);


--
-- Name: detectedissue detectedissue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.detectedissue
    ADD CONSTRAINT detectedissue_pkey PRIMARY KEY (id);


--
-- Name: device_history device_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.device_history
    ADD CONSTRAINT device_history_pkey PRIMARY KEY (id, txid);


--
-- Name: device device_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.device
    ADD CONSTRAINT device_pkey PRIMARY KEY (id);


--
-- Name: devicedefinition_history devicedefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devicedefinition_history
    ADD CONSTRAINT devicedefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: devicedefinition devicedefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devicedefinition
    ADD CONSTRAINT devicedefinition_pkey PRIMARY KEY (id);


--
-- Name: devicemetric_history devicemetric_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devicemetric_history
    ADD CONSTRAINT devicemetric_history_pkey PRIMARY KEY (id, txid);


--
-- Name: devicemetric devicemetric_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devicemetric
    ADD CONSTRAINT devicemetric_pkey PRIMARY KEY (id);


--
-- Name: devicerequest_history devicerequest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devicerequest_history
    ADD CONSTRAINT devicerequest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: devicerequest devicerequest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.devicerequest
    ADD CONSTRAINT devicerequest_pkey PRIMARY KEY (id);


--
-- Name: deviceusestatement_history deviceusestatement_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deviceusestatement_history
    ADD CONSTRAINT deviceusestatement_history_pkey PRIMARY KEY (id, txid);


--
-- Name: deviceusestatement deviceusestatement_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deviceusestatement
    ADD CONSTRAINT deviceusestatement_pkey PRIMARY KEY (id);


--
-- Name: diagnosticreport_history diagnosticreport_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.diagnosticreport_history
    ADD CONSTRAINT diagnosticreport_history_pkey PRIMARY KEY (id, txid);


--
-- Name: diagnosticreport diagnosticreport_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.diagnosticreport
    ADD CONSTRAINT diagnosticreport_pkey PRIMARY KEY (id);


--
-- Name: documentmanifest_history documentmanifest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documentmanifest_history
    ADD CONSTRAINT documentmanifest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: documentmanifest documentmanifest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documentmanifest
    ADD CONSTRAINT documentmanifest_pkey PRIMARY KEY (id);


--
-- Name: documentreference_history documentreference_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documentreference_history
    ADD CONSTRAINT documentreference_history_pkey PRIMARY KEY (id, txid);


--
-- Name: documentreference documentreference_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documentreference
    ADD CONSTRAINT documentreference_pkey PRIMARY KEY (id);


--
-- Name: effectevidencesynthesis_history effectevidencesynthesis_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.effectevidencesynthesis_history
    ADD CONSTRAINT effectevidencesynthesis_history_pkey PRIMARY KEY (id, txid);


--
-- Name: effectevidencesynthesis effectevidencesynthesis_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.effectevidencesynthesis
    ADD CONSTRAINT effectevidencesynthesis_pkey PRIMARY KEY (id);


--
-- Name: encounter_history encounter_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.encounter_history
    ADD CONSTRAINT encounter_history_pkey PRIMARY KEY (id, txid);


--
-- Name: encounter encounter_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.encounter
    ADD CONSTRAINT encounter_pkey PRIMARY KEY (id);


--
-- Name: endpoint_history endpoint_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.endpoint_history
    ADD CONSTRAINT endpoint_history_pkey PRIMARY KEY (id, txid);


--
-- Name: endpoint endpoint_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.endpoint
    ADD CONSTRAINT endpoint_pkey PRIMARY KEY (id);


--
-- Name: enrollmentrequest_history enrollmentrequest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enrollmentrequest_history
    ADD CONSTRAINT enrollmentrequest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: enrollmentrequest enrollmentrequest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enrollmentrequest
    ADD CONSTRAINT enrollmentrequest_pkey PRIMARY KEY (id);


--
-- Name: enrollmentresponse_history enrollmentresponse_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enrollmentresponse_history
    ADD CONSTRAINT enrollmentresponse_history_pkey PRIMARY KEY (id, txid);


--
-- Name: enrollmentresponse enrollmentresponse_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enrollmentresponse
    ADD CONSTRAINT enrollmentresponse_pkey PRIMARY KEY (id);


--
-- Name: episodeofcare_history episodeofcare_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.episodeofcare_history
    ADD CONSTRAINT episodeofcare_history_pkey PRIMARY KEY (id, txid);


--
-- Name: episodeofcare episodeofcare_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.episodeofcare
    ADD CONSTRAINT episodeofcare_pkey PRIMARY KEY (id);


--
-- Name: eventdefinition_history eventdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.eventdefinition_history
    ADD CONSTRAINT eventdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: eventdefinition eventdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.eventdefinition
    ADD CONSTRAINT eventdefinition_pkey PRIMARY KEY (id);


--
-- Name: evidence_history evidence_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evidence_history
    ADD CONSTRAINT evidence_history_pkey PRIMARY KEY (id, txid);


--
-- Name: evidence evidence_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evidence
    ADD CONSTRAINT evidence_pkey PRIMARY KEY (id);


--
-- Name: evidencevariable_history evidencevariable_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evidencevariable_history
    ADD CONSTRAINT evidencevariable_history_pkey PRIMARY KEY (id, txid);


--
-- Name: evidencevariable evidencevariable_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evidencevariable
    ADD CONSTRAINT evidencevariable_pkey PRIMARY KEY (id);


--
-- Name: examplescenario_history examplescenario_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.examplescenario_history
    ADD CONSTRAINT examplescenario_history_pkey PRIMARY KEY (id, txid);


--
-- Name: examplescenario examplescenario_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.examplescenario
    ADD CONSTRAINT examplescenario_pkey PRIMARY KEY (id);


--
-- Name: explanationofbenefit_history explanationofbenefit_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.explanationofbenefit_history
    ADD CONSTRAINT explanationofbenefit_history_pkey PRIMARY KEY (id, txid);


--
-- Name: explanationofbenefit explanationofbenefit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.explanationofbenefit
    ADD CONSTRAINT explanationofbenefit_pkey PRIMARY KEY (id);


--
-- Name: familymemberhistory_history familymemberhistory_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.familymemberhistory_history
    ADD CONSTRAINT familymemberhistory_history_pkey PRIMARY KEY (id, txid);


--
-- Name: familymemberhistory familymemberhistory_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.familymemberhistory
    ADD CONSTRAINT familymemberhistory_pkey PRIMARY KEY (id);


--
-- Name: flag_history flag_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.flag_history
    ADD CONSTRAINT flag_history_pkey PRIMARY KEY (id, txid);


--
-- Name: flag flag_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.flag
    ADD CONSTRAINT flag_pkey PRIMARY KEY (id);


--
-- Name: goal_history goal_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goal_history
    ADD CONSTRAINT goal_history_pkey PRIMARY KEY (id, txid);


--
-- Name: goal goal_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goal
    ADD CONSTRAINT goal_pkey PRIMARY KEY (id);


--
-- Name: graphdefinition_history graphdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graphdefinition_history
    ADD CONSTRAINT graphdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: graphdefinition graphdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graphdefinition
    ADD CONSTRAINT graphdefinition_pkey PRIMARY KEY (id);


--
-- Name: group_history group_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.group_history
    ADD CONSTRAINT group_history_pkey PRIMARY KEY (id, txid);


--
-- Name: group group_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."group"
    ADD CONSTRAINT group_pkey PRIMARY KEY (id);


--
-- Name: guidanceresponse_history guidanceresponse_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.guidanceresponse_history
    ADD CONSTRAINT guidanceresponse_history_pkey PRIMARY KEY (id, txid);


--
-- Name: guidanceresponse guidanceresponse_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.guidanceresponse
    ADD CONSTRAINT guidanceresponse_pkey PRIMARY KEY (id);


--
-- Name: healthcareservice_history healthcareservice_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.healthcareservice_history
    ADD CONSTRAINT healthcareservice_history_pkey PRIMARY KEY (id, txid);


--
-- Name: healthcareservice healthcareservice_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.healthcareservice
    ADD CONSTRAINT healthcareservice_pkey PRIMARY KEY (id);


--
-- Name: imagingstudy_history imagingstudy_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagingstudy_history
    ADD CONSTRAINT imagingstudy_history_pkey PRIMARY KEY (id, txid);


--
-- Name: imagingstudy imagingstudy_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagingstudy
    ADD CONSTRAINT imagingstudy_pkey PRIMARY KEY (id);


--
-- Name: immunization_history immunization_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.immunization_history
    ADD CONSTRAINT immunization_history_pkey PRIMARY KEY (id, txid);


--
-- Name: immunization immunization_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.immunization
    ADD CONSTRAINT immunization_pkey PRIMARY KEY (id);


--
-- Name: immunizationevaluation_history immunizationevaluation_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.immunizationevaluation_history
    ADD CONSTRAINT immunizationevaluation_history_pkey PRIMARY KEY (id, txid);


--
-- Name: immunizationevaluation immunizationevaluation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.immunizationevaluation
    ADD CONSTRAINT immunizationevaluation_pkey PRIMARY KEY (id);


--
-- Name: immunizationrecommendation_history immunizationrecommendation_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.immunizationrecommendation_history
    ADD CONSTRAINT immunizationrecommendation_history_pkey PRIMARY KEY (id, txid);


--
-- Name: immunizationrecommendation immunizationrecommendation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.immunizationrecommendation
    ADD CONSTRAINT immunizationrecommendation_pkey PRIMARY KEY (id);


--
-- Name: implementationguide_history implementationguide_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.implementationguide_history
    ADD CONSTRAINT implementationguide_history_pkey PRIMARY KEY (id, txid);


--
-- Name: implementationguide implementationguide_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.implementationguide
    ADD CONSTRAINT implementationguide_pkey PRIMARY KEY (id);


--
-- Name: insuranceplan_history insuranceplan_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.insuranceplan_history
    ADD CONSTRAINT insuranceplan_history_pkey PRIMARY KEY (id, txid);


--
-- Name: insuranceplan insuranceplan_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.insuranceplan
    ADD CONSTRAINT insuranceplan_pkey PRIMARY KEY (id);


--
-- Name: invoice_history invoice_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice_history
    ADD CONSTRAINT invoice_history_pkey PRIMARY KEY (id, txid);


--
-- Name: invoice invoice_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice
    ADD CONSTRAINT invoice_pkey PRIMARY KEY (id);


--
-- Name: library_history library_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.library_history
    ADD CONSTRAINT library_history_pkey PRIMARY KEY (id, txid);


--
-- Name: library library_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.library
    ADD CONSTRAINT library_pkey PRIMARY KEY (id);


--
-- Name: linkage_history linkage_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.linkage_history
    ADD CONSTRAINT linkage_history_pkey PRIMARY KEY (id, txid);


--
-- Name: linkage linkage_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.linkage
    ADD CONSTRAINT linkage_pkey PRIMARY KEY (id);


--
-- Name: list_history list_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.list_history
    ADD CONSTRAINT list_history_pkey PRIMARY KEY (id, txid);


--
-- Name: list list_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.list
    ADD CONSTRAINT list_pkey PRIMARY KEY (id);


--
-- Name: location_history location_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.location_history
    ADD CONSTRAINT location_history_pkey PRIMARY KEY (id, txid);


--
-- Name: location location_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.location
    ADD CONSTRAINT location_pkey PRIMARY KEY (id);


--
-- Name: measure_history measure_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.measure_history
    ADD CONSTRAINT measure_history_pkey PRIMARY KEY (id, txid);


--
-- Name: measure measure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.measure
    ADD CONSTRAINT measure_pkey PRIMARY KEY (id);


--
-- Name: measurereport_history measurereport_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.measurereport_history
    ADD CONSTRAINT measurereport_history_pkey PRIMARY KEY (id, txid);


--
-- Name: measurereport measurereport_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.measurereport
    ADD CONSTRAINT measurereport_pkey PRIMARY KEY (id);


--
-- Name: media_history media_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.media_history
    ADD CONSTRAINT media_history_pkey PRIMARY KEY (id, txid);


--
-- Name: media media_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.media
    ADD CONSTRAINT media_pkey PRIMARY KEY (id);


--
-- Name: medication_history medication_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medication_history
    ADD CONSTRAINT medication_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medication medication_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medication
    ADD CONSTRAINT medication_pkey PRIMARY KEY (id);


--
-- Name: medicationadministration_history medicationadministration_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationadministration_history
    ADD CONSTRAINT medicationadministration_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicationadministration medicationadministration_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationadministration
    ADD CONSTRAINT medicationadministration_pkey PRIMARY KEY (id);


--
-- Name: medicationdispense_history medicationdispense_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationdispense_history
    ADD CONSTRAINT medicationdispense_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicationdispense medicationdispense_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationdispense
    ADD CONSTRAINT medicationdispense_pkey PRIMARY KEY (id);


--
-- Name: medicationknowledge_history medicationknowledge_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationknowledge_history
    ADD CONSTRAINT medicationknowledge_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicationknowledge medicationknowledge_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationknowledge
    ADD CONSTRAINT medicationknowledge_pkey PRIMARY KEY (id);


--
-- Name: medicationrequest_history medicationrequest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationrequest_history
    ADD CONSTRAINT medicationrequest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicationrequest medicationrequest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationrequest
    ADD CONSTRAINT medicationrequest_pkey PRIMARY KEY (id);


--
-- Name: medicationstatement_history medicationstatement_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationstatement_history
    ADD CONSTRAINT medicationstatement_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicationstatement medicationstatement_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicationstatement
    ADD CONSTRAINT medicationstatement_pkey PRIMARY KEY (id);


--
-- Name: medicinalproduct_history medicinalproduct_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproduct_history
    ADD CONSTRAINT medicinalproduct_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproduct medicinalproduct_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproduct
    ADD CONSTRAINT medicinalproduct_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductauthorization_history medicinalproductauthorization_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductauthorization_history
    ADD CONSTRAINT medicinalproductauthorization_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductauthorization medicinalproductauthorization_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductauthorization
    ADD CONSTRAINT medicinalproductauthorization_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductcontraindication_history medicinalproductcontraindication_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductcontraindication_history
    ADD CONSTRAINT medicinalproductcontraindication_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductcontraindication medicinalproductcontraindication_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductcontraindication
    ADD CONSTRAINT medicinalproductcontraindication_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductindication_history medicinalproductindication_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductindication_history
    ADD CONSTRAINT medicinalproductindication_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductindication medicinalproductindication_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductindication
    ADD CONSTRAINT medicinalproductindication_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductingredient_history medicinalproductingredient_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductingredient_history
    ADD CONSTRAINT medicinalproductingredient_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductingredient medicinalproductingredient_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductingredient
    ADD CONSTRAINT medicinalproductingredient_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductinteraction_history medicinalproductinteraction_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductinteraction_history
    ADD CONSTRAINT medicinalproductinteraction_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductinteraction medicinalproductinteraction_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductinteraction
    ADD CONSTRAINT medicinalproductinteraction_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductmanufactured_history medicinalproductmanufactured_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductmanufactured_history
    ADD CONSTRAINT medicinalproductmanufactured_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductmanufactured medicinalproductmanufactured_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductmanufactured
    ADD CONSTRAINT medicinalproductmanufactured_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductpackaged_history medicinalproductpackaged_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductpackaged_history
    ADD CONSTRAINT medicinalproductpackaged_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductpackaged medicinalproductpackaged_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductpackaged
    ADD CONSTRAINT medicinalproductpackaged_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductpharmaceutical_history medicinalproductpharmaceutical_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductpharmaceutical_history
    ADD CONSTRAINT medicinalproductpharmaceutical_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductpharmaceutical medicinalproductpharmaceutical_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductpharmaceutical
    ADD CONSTRAINT medicinalproductpharmaceutical_pkey PRIMARY KEY (id);


--
-- Name: medicinalproductundesirableeffect_history medicinalproductundesirableeffect_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductundesirableeffect_history
    ADD CONSTRAINT medicinalproductundesirableeffect_history_pkey PRIMARY KEY (id, txid);


--
-- Name: medicinalproductundesirableeffect medicinalproductundesirableeffect_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.medicinalproductundesirableeffect
    ADD CONSTRAINT medicinalproductundesirableeffect_pkey PRIMARY KEY (id);


--
-- Name: messagedefinition_history messagedefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messagedefinition_history
    ADD CONSTRAINT messagedefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: messagedefinition messagedefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messagedefinition
    ADD CONSTRAINT messagedefinition_pkey PRIMARY KEY (id);


--
-- Name: messageheader_history messageheader_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messageheader_history
    ADD CONSTRAINT messageheader_history_pkey PRIMARY KEY (id, txid);


--
-- Name: messageheader messageheader_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messageheader
    ADD CONSTRAINT messageheader_pkey PRIMARY KEY (id);


--
-- Name: molecularsequence_history molecularsequence_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.molecularsequence_history
    ADD CONSTRAINT molecularsequence_history_pkey PRIMARY KEY (id, txid);


--
-- Name: molecularsequence molecularsequence_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.molecularsequence
    ADD CONSTRAINT molecularsequence_pkey PRIMARY KEY (id);


--
-- Name: namingsystem_history namingsystem_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namingsystem_history
    ADD CONSTRAINT namingsystem_history_pkey PRIMARY KEY (id, txid);


--
-- Name: namingsystem namingsystem_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namingsystem
    ADD CONSTRAINT namingsystem_pkey PRIMARY KEY (id);


--
-- Name: nutritionorder_history nutritionorder_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nutritionorder_history
    ADD CONSTRAINT nutritionorder_history_pkey PRIMARY KEY (id, txid);


--
-- Name: nutritionorder nutritionorder_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nutritionorder
    ADD CONSTRAINT nutritionorder_pkey PRIMARY KEY (id);


--
-- Name: observation_history observation_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observation_history
    ADD CONSTRAINT observation_history_pkey PRIMARY KEY (id, txid);


--
-- Name: observation observation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_pkey PRIMARY KEY (id);


--
-- Name: observationdefinition_history observationdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observationdefinition_history
    ADD CONSTRAINT observationdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: observationdefinition observationdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.observationdefinition
    ADD CONSTRAINT observationdefinition_pkey PRIMARY KEY (id);


--
-- Name: operationdefinition_history operationdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.operationdefinition_history
    ADD CONSTRAINT operationdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: operationdefinition operationdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.operationdefinition
    ADD CONSTRAINT operationdefinition_pkey PRIMARY KEY (id);


--
-- Name: operationoutcome_history operationoutcome_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.operationoutcome_history
    ADD CONSTRAINT operationoutcome_history_pkey PRIMARY KEY (id, txid);


--
-- Name: operationoutcome operationoutcome_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.operationoutcome
    ADD CONSTRAINT operationoutcome_pkey PRIMARY KEY (id);


--
-- Name: organization_history organization_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_history
    ADD CONSTRAINT organization_history_pkey PRIMARY KEY (id, txid);


--
-- Name: organization organization_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization
    ADD CONSTRAINT organization_pkey PRIMARY KEY (id);


--
-- Name: organizationaffiliation_history organizationaffiliation_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationaffiliation_history
    ADD CONSTRAINT organizationaffiliation_history_pkey PRIMARY KEY (id, txid);


--
-- Name: organizationaffiliation organizationaffiliation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationaffiliation
    ADD CONSTRAINT organizationaffiliation_pkey PRIMARY KEY (id);


--
-- Name: parameters_history parameters_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.parameters_history
    ADD CONSTRAINT parameters_history_pkey PRIMARY KEY (id, txid);


--
-- Name: parameters parameters_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.parameters
    ADD CONSTRAINT parameters_pkey PRIMARY KEY (id);


--
-- Name: patient_history patient_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patient_history
    ADD CONSTRAINT patient_history_pkey PRIMARY KEY (id, txid);


--
-- Name: patient patient_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patient
    ADD CONSTRAINT patient_pkey PRIMARY KEY (id);


--
-- Name: paymentnotice_history paymentnotice_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.paymentnotice_history
    ADD CONSTRAINT paymentnotice_history_pkey PRIMARY KEY (id, txid);


--
-- Name: paymentnotice paymentnotice_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.paymentnotice
    ADD CONSTRAINT paymentnotice_pkey PRIMARY KEY (id);


--
-- Name: paymentreconciliation_history paymentreconciliation_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.paymentreconciliation_history
    ADD CONSTRAINT paymentreconciliation_history_pkey PRIMARY KEY (id, txid);


--
-- Name: paymentreconciliation paymentreconciliation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.paymentreconciliation
    ADD CONSTRAINT paymentreconciliation_pkey PRIMARY KEY (id);


--
-- Name: person_history person_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_history
    ADD CONSTRAINT person_history_pkey PRIMARY KEY (id, txid);


--
-- Name: person person_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person
    ADD CONSTRAINT person_pkey PRIMARY KEY (id);


--
-- Name: plandefinition_history plandefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plandefinition_history
    ADD CONSTRAINT plandefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: plandefinition plandefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plandefinition
    ADD CONSTRAINT plandefinition_pkey PRIMARY KEY (id);


--
-- Name: practitioner_history practitioner_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practitioner_history
    ADD CONSTRAINT practitioner_history_pkey PRIMARY KEY (id, txid);


--
-- Name: practitioner practitioner_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practitioner
    ADD CONSTRAINT practitioner_pkey PRIMARY KEY (id);


--
-- Name: practitionerrole_history practitionerrole_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practitionerrole_history
    ADD CONSTRAINT practitionerrole_history_pkey PRIMARY KEY (id, txid);


--
-- Name: practitionerrole practitionerrole_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practitionerrole
    ADD CONSTRAINT practitionerrole_pkey PRIMARY KEY (id);


--
-- Name: procedure_history procedure_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procedure_history
    ADD CONSTRAINT procedure_history_pkey PRIMARY KEY (id, txid);


--
-- Name: procedure procedure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procedure
    ADD CONSTRAINT procedure_pkey PRIMARY KEY (id);


--
-- Name: provenance_history provenance_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.provenance_history
    ADD CONSTRAINT provenance_history_pkey PRIMARY KEY (id, txid);


--
-- Name: provenance provenance_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.provenance
    ADD CONSTRAINT provenance_pkey PRIMARY KEY (id);


--
-- Name: questionnaire_history questionnaire_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaire_history
    ADD CONSTRAINT questionnaire_history_pkey PRIMARY KEY (id, txid);


--
-- Name: questionnaire questionnaire_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaire
    ADD CONSTRAINT questionnaire_pkey PRIMARY KEY (id);


--
-- Name: questionnaireresponse_history questionnaireresponse_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaireresponse_history
    ADD CONSTRAINT questionnaireresponse_history_pkey PRIMARY KEY (id, txid);


--
-- Name: questionnaireresponse questionnaireresponse_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaireresponse
    ADD CONSTRAINT questionnaireresponse_pkey PRIMARY KEY (id);


--
-- Name: relatedperson_history relatedperson_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.relatedperson_history
    ADD CONSTRAINT relatedperson_history_pkey PRIMARY KEY (id, txid);


--
-- Name: relatedperson relatedperson_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.relatedperson
    ADD CONSTRAINT relatedperson_pkey PRIMARY KEY (id);


--
-- Name: requestgroup_history requestgroup_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.requestgroup_history
    ADD CONSTRAINT requestgroup_history_pkey PRIMARY KEY (id, txid);


--
-- Name: requestgroup requestgroup_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.requestgroup
    ADD CONSTRAINT requestgroup_pkey PRIMARY KEY (id);


--
-- Name: researchdefinition_history researchdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchdefinition_history
    ADD CONSTRAINT researchdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: researchdefinition researchdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchdefinition
    ADD CONSTRAINT researchdefinition_pkey PRIMARY KEY (id);


--
-- Name: researchelementdefinition_history researchelementdefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchelementdefinition_history
    ADD CONSTRAINT researchelementdefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: researchelementdefinition researchelementdefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchelementdefinition
    ADD CONSTRAINT researchelementdefinition_pkey PRIMARY KEY (id);


--
-- Name: researchstudy_history researchstudy_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchstudy_history
    ADD CONSTRAINT researchstudy_history_pkey PRIMARY KEY (id, txid);


--
-- Name: researchstudy researchstudy_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchstudy
    ADD CONSTRAINT researchstudy_pkey PRIMARY KEY (id);


--
-- Name: researchsubject_history researchsubject_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchsubject_history
    ADD CONSTRAINT researchsubject_history_pkey PRIMARY KEY (id, txid);


--
-- Name: researchsubject researchsubject_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.researchsubject
    ADD CONSTRAINT researchsubject_pkey PRIMARY KEY (id);


--
-- Name: riskassessment_history riskassessment_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.riskassessment_history
    ADD CONSTRAINT riskassessment_history_pkey PRIMARY KEY (id, txid);


--
-- Name: riskassessment riskassessment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.riskassessment
    ADD CONSTRAINT riskassessment_pkey PRIMARY KEY (id);


--
-- Name: riskevidencesynthesis_history riskevidencesynthesis_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.riskevidencesynthesis_history
    ADD CONSTRAINT riskevidencesynthesis_history_pkey PRIMARY KEY (id, txid);


--
-- Name: riskevidencesynthesis riskevidencesynthesis_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.riskevidencesynthesis
    ADD CONSTRAINT riskevidencesynthesis_pkey PRIMARY KEY (id);


--
-- Name: schedule_history schedule_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schedule_history
    ADD CONSTRAINT schedule_history_pkey PRIMARY KEY (id, txid);


--
-- Name: schedule schedule_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schedule
    ADD CONSTRAINT schedule_pkey PRIMARY KEY (id);


--
-- Name: searchparameter_history searchparameter_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.searchparameter_history
    ADD CONSTRAINT searchparameter_history_pkey PRIMARY KEY (id, txid);


--
-- Name: searchparameter searchparameter_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.searchparameter
    ADD CONSTRAINT searchparameter_pkey PRIMARY KEY (id);


--
-- Name: servicerequest_history servicerequest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.servicerequest_history
    ADD CONSTRAINT servicerequest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: servicerequest servicerequest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.servicerequest
    ADD CONSTRAINT servicerequest_pkey PRIMARY KEY (id);


--
-- Name: slot_history slot_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.slot_history
    ADD CONSTRAINT slot_history_pkey PRIMARY KEY (id, txid);


--
-- Name: slot slot_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.slot
    ADD CONSTRAINT slot_pkey PRIMARY KEY (id);


--
-- Name: specimen_history specimen_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specimen_history
    ADD CONSTRAINT specimen_history_pkey PRIMARY KEY (id, txid);


--
-- Name: specimen specimen_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specimen
    ADD CONSTRAINT specimen_pkey PRIMARY KEY (id);


--
-- Name: specimendefinition_history specimendefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specimendefinition_history
    ADD CONSTRAINT specimendefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: specimendefinition specimendefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.specimendefinition
    ADD CONSTRAINT specimendefinition_pkey PRIMARY KEY (id);


--
-- Name: structuredefinition_history structuredefinition_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.structuredefinition_history
    ADD CONSTRAINT structuredefinition_history_pkey PRIMARY KEY (id, txid);


--
-- Name: structuredefinition structuredefinition_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.structuredefinition
    ADD CONSTRAINT structuredefinition_pkey PRIMARY KEY (id);


--
-- Name: structuremap_history structuremap_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.structuremap_history
    ADD CONSTRAINT structuremap_history_pkey PRIMARY KEY (id, txid);


--
-- Name: structuremap structuremap_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.structuremap
    ADD CONSTRAINT structuremap_pkey PRIMARY KEY (id);


--
-- Name: subscription_history subscription_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscription_history
    ADD CONSTRAINT subscription_history_pkey PRIMARY KEY (id, txid);


--
-- Name: subscription subscription_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscription
    ADD CONSTRAINT subscription_pkey PRIMARY KEY (id);


--
-- Name: substance_history substance_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substance_history
    ADD CONSTRAINT substance_history_pkey PRIMARY KEY (id, txid);


--
-- Name: substance substance_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substance
    ADD CONSTRAINT substance_pkey PRIMARY KEY (id);


--
-- Name: substancenucleicacid_history substancenucleicacid_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancenucleicacid_history
    ADD CONSTRAINT substancenucleicacid_history_pkey PRIMARY KEY (id, txid);


--
-- Name: substancenucleicacid substancenucleicacid_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancenucleicacid
    ADD CONSTRAINT substancenucleicacid_pkey PRIMARY KEY (id);


--
-- Name: substancepolymer_history substancepolymer_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancepolymer_history
    ADD CONSTRAINT substancepolymer_history_pkey PRIMARY KEY (id, txid);


--
-- Name: substancepolymer substancepolymer_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancepolymer
    ADD CONSTRAINT substancepolymer_pkey PRIMARY KEY (id);


--
-- Name: substanceprotein_history substanceprotein_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substanceprotein_history
    ADD CONSTRAINT substanceprotein_history_pkey PRIMARY KEY (id, txid);


--
-- Name: substanceprotein substanceprotein_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substanceprotein
    ADD CONSTRAINT substanceprotein_pkey PRIMARY KEY (id);


--
-- Name: substancereferenceinformation_history substancereferenceinformation_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancereferenceinformation_history
    ADD CONSTRAINT substancereferenceinformation_history_pkey PRIMARY KEY (id, txid);


--
-- Name: substancereferenceinformation substancereferenceinformation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancereferenceinformation
    ADD CONSTRAINT substancereferenceinformation_pkey PRIMARY KEY (id);


--
-- Name: substancesourcematerial_history substancesourcematerial_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancesourcematerial_history
    ADD CONSTRAINT substancesourcematerial_history_pkey PRIMARY KEY (id, txid);


--
-- Name: substancesourcematerial substancesourcematerial_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancesourcematerial
    ADD CONSTRAINT substancesourcematerial_pkey PRIMARY KEY (id);


--
-- Name: substancespecification_history substancespecification_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancespecification_history
    ADD CONSTRAINT substancespecification_history_pkey PRIMARY KEY (id, txid);


--
-- Name: substancespecification substancespecification_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.substancespecification
    ADD CONSTRAINT substancespecification_pkey PRIMARY KEY (id);


--
-- Name: supplydelivery_history supplydelivery_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supplydelivery_history
    ADD CONSTRAINT supplydelivery_history_pkey PRIMARY KEY (id, txid);


--
-- Name: supplydelivery supplydelivery_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supplydelivery
    ADD CONSTRAINT supplydelivery_pkey PRIMARY KEY (id);


--
-- Name: supplyrequest_history supplyrequest_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supplyrequest_history
    ADD CONSTRAINT supplyrequest_history_pkey PRIMARY KEY (id, txid);


--
-- Name: supplyrequest supplyrequest_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supplyrequest
    ADD CONSTRAINT supplyrequest_pkey PRIMARY KEY (id);


--
-- Name: task_history task_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_history
    ADD CONSTRAINT task_history_pkey PRIMARY KEY (id, txid);


--
-- Name: task task_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task
    ADD CONSTRAINT task_pkey PRIMARY KEY (id);


--
-- Name: terminologycapabilities_history terminologycapabilities_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.terminologycapabilities_history
    ADD CONSTRAINT terminologycapabilities_history_pkey PRIMARY KEY (id, txid);


--
-- Name: terminologycapabilities terminologycapabilities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.terminologycapabilities
    ADD CONSTRAINT terminologycapabilities_pkey PRIMARY KEY (id);


--
-- Name: testreport_history testreport_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.testreport_history
    ADD CONSTRAINT testreport_history_pkey PRIMARY KEY (id, txid);


--
-- Name: testreport testreport_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.testreport
    ADD CONSTRAINT testreport_pkey PRIMARY KEY (id);


--
-- Name: testscript_history testscript_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.testscript_history
    ADD CONSTRAINT testscript_history_pkey PRIMARY KEY (id, txid);


--
-- Name: testscript testscript_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.testscript
    ADD CONSTRAINT testscript_pkey PRIMARY KEY (id);


--
-- Name: valueset_history valueset_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.valueset_history
    ADD CONSTRAINT valueset_history_pkey PRIMARY KEY (id, txid);


--
-- Name: valueset valueset_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.valueset
    ADD CONSTRAINT valueset_pkey PRIMARY KEY (id);


--
-- Name: verificationresult_history verificationresult_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.verificationresult_history
    ADD CONSTRAINT verificationresult_history_pkey PRIMARY KEY (id, txid);


--
-- Name: verificationresult verificationresult_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.verificationresult
    ADD CONSTRAINT verificationresult_pkey PRIMARY KEY (id);


--
-- Name: visionprescription_history visionprescription_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.visionprescription_history
    ADD CONSTRAINT visionprescription_history_pkey PRIMARY KEY (id, txid);


--
-- Name: visionprescription visionprescription_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.visionprescription
    ADD CONSTRAINT visionprescription_pkey PRIMARY KEY (id);


--
-- Name: import_input import_input_job_id_position_key; Type: CONSTRAINT; Schema: sluice; Owner: -
--

ALTER TABLE ONLY sluice.import_input
    ADD CONSTRAINT import_input_job_id_position_key UNIQUE (job_id, "position");


--
-- Name: import_input import_input_pkey; Type: CONSTRAINT; Schema: sluice; Owner: -
--

ALTER TABLE ONLY sluice.import_input
    ADD CONSTRAINT import_input_pkey PRIMARY KEY (key);


--
-- Name: import_job import_job_pkey; Type: CONSTRAINT; Schema: sluice; Owner: -
--

ALTER TABLE ONLY sluice.import_job
    ADD CONSTRAINT import_job_pkey PRIMARY KEY (id);


--
-- Name: resource_type resource_type_pkey; Type: CONSTRAINT; Schema: sluice; Owner: -
--

ALTER TABLE ONLY sluice.resource_type
    ADD CONSTRAINT resource_type_pkey PRIMARY KEY (name);


--
-- Name: resource_type resource_type_table_name_key; Type: CONSTRAINT; Schema: sluice; Owner: -
--

ALTER TABLE ONLY sluice.resource_type
    ADD CONSTRAINT resource_type_table_name_key UNIQUE (table_name);


--
-- Name: import_input_waiting; Type: INDEX; Schema: sluice; Owner: -
--

CREATE INDEX import_input_waiting ON sluice.import_input USING btree (key) WHERE (status = 'waiting'::text);


--
-- Name: accesspolicy accesspolicy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER accesspolicy_check BEFORE INSERT OR UPDATE ON public.accesspolicy FOR EACH ROW EXECUTE FUNCTION policy.accesspolicy_check();


--
-- Name: client client_secret_hash; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER client_secret_hash BEFORE INSERT OR UPDATE ON public.client FOR EACH ROW EXECUTE FUNCTION policy.client_secret_hash();


--
-- Name: client_history client_secret_hash; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER client_secret_hash BEFORE INSERT OR UPDATE ON public.client_history FOR EACH ROW EXECUTE FUNCTION policy.client_secret_hash();


--
-- Name: import_input import_input_job_id_fkey; Type: FK CONSTRAINT; Schema: sluice; Owner: -
--

ALTER TABLE ONLY sluice.import_input
    ADD CONSTRAINT import_input_job_id_fkey FOREIGN KEY (job_id) REFERENCES sluice.import_job(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


