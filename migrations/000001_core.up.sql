-- Core storage (docs/storage.md): the registry of resource types, one table and one history
-- table per type in schema public (Aidbox-compatible, so users' SQL keeps working), and the
-- functions the REST API calls to read and write single resources.
--
-- Errors raised here use SQLSTATE 'SL' || <HTTP status> (the PostgREST 'PT404' convention), so
-- the proxy maps them without a table: SL404 unknown type or id, SL409 conflict, SL422 invalid.

create extension if not exists pgcrypto with schema public;

create schema sluice;

create type public.resource_status as enum ('created', 'updated', 'deleted', 'recreated');

-- One global sequence: a resource's versionId is the txid of the write that made it.
create sequence public.transaction_id_seq;

create table sluice.resource_type (
  name       text primary key,
  table_name text not null unique,
  -- 'fhir' for FHIR R4 resource types, 'system' for sluice's own (Client, AccessPolicy, ...).
  kind       text not null check (kind in ('fhir', 'system')),
  -- Rows of this type grant or configure access (Client, AccessPolicy): bulk operations never
  -- write them unless the caller is the operator, and a REST write needs a policy that names
  -- the type (migrations/000002_policy.up.sql).
  guards_access boolean not null default false
);

-- How resource bodies are compressed: lz4 when the server was built with it, else PostgreSQL's
-- default pglz. Bodies over ~2 kB (most ExplanationOfBenefits, some Claims) are compressed on
-- every write and decompressed on every read; lz4 does both faster for a few percent more disk.
-- Measured here (2 cores, PostgreSQL 15): psql \copy of 36,970 ExplanationOfBenefits into
-- (id text primary key, resource jsonb) took 4.9-5.3 s with lz4 against 6.5-7.8 s with pglz,
-- reading them back 1.26 s against 1.43 s, and the table took 95 MB against 90 MB.
create function sluice.body_compression() returns text
language sql stable
return case when exists (select from pg_catalog.pg_settings
                         where name = 'default_toast_compression' and 'lz4' = any(enumvals))
            then 'lz4' else 'pglz' end;

-- Registers a resource type and creates its table and history table. Tables have no foreign
-- keys and every unique constraint includes id, so Citus can distribute them by id (docs/storage.md).
create function sluice.create_resource_tables(p_name text, p_kind text) returns void
language plpgsql as $$
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
      resource      jsonb compression %4$s not null
    );
    create table public.%2$I (
      id            text not null,
      txid          bigint not null,
      cts           timestamptz not null,
      ts            timestamptz not null,
      resource_type text not null default %3$L,
      status        public.resource_status not null,
      resource      jsonb compression %4$s not null,
      primary key (id, txid)
    )$ddl$, v_table, v_table || '_history', p_name, sluice.body_compression());
end $$;

-- The system types sluice itself needs. FHIR R4 types are registered by the generated
-- fhir_types file.
select sluice.create_resource_tables(t, 'system')
from unnest(array['Client', 'AccessPolicy', 'Attribute', 'BulkImportStatus']) as t;
update sluice.resource_type set guards_access = true where name in ('Client', 'AccessPolicy');

-- The registry row of a resource type, or null when p_type is not one: the one lookup behind
-- sluice.table_of, sluice.guards_access and every "is it a resource type?" check.
create function sluice.resource_type_of(p_type text) returns sluice.resource_type
language sql stable parallel safe
return (select r from sluice.resource_type as r where r.name = p_type);

-- Do rows of type p_type grant or configure access? (false for an unknown type)
create function sluice.guards_access(p_type text) returns boolean
language sql stable parallel safe
return coalesce((sluice.resource_type_of(p_type)).guards_access, false);

-- The table of a resource type, or SL404 when the type is unknown.
create function sluice.table_of(p_type text) returns text
language plpgsql stable parallel safe as $$
declare
  v_table text := (sluice.resource_type_of(p_type)).table_name;
begin
  if v_table is null then
    raise exception using errcode = 'SL404',
      message = format('unknown resource type %s', coalesce(p_type, 'null'));
  end if;
  return v_table;
end $$;

-- Lets the planner run a bulk operation's scan (an export's COPY, a FHIR load's conversion)
-- in parallel, for the rest of the caller's transaction. The per-row work (decompressing
-- bodies, jsonb to text and back, the FHIR conversion) is what costs, and the planner sees
-- none of it: by default it keeps such a scan serial, and a table whose bodies live outside it
-- (TOAST, or external storage in a staging table) looks small. Passing rows back through the
-- Gather is cheap next to that work; tiny tables stay serial (the setup cost outweighs them).
-- The one place for these settings, so export and load plan alike.
create function sluice.bulk_parallel() returns void
language sql volatile
begin atomic
  select set_config('parallel_tuple_cost', '0', true),
         set_config('parallel_setup_cost', '100', true),
         set_config('min_parallel_table_scan_size', '0', true);
end;

-- FHIR's id rule: [A-Za-z0-9\-\.]{1,64}.
create function sluice.is_valid_id(p_id text) returns boolean
language sql immutable parallel safe
return p_id ~ '^[A-Za-z0-9.-]{1,64}$';

-- ISO 8601 in UTC with a Z, whatever the session's TimeZone (to_jsonb would use it).
-- Stable, not immutable: to_char is stable.
create function sluice.iso_instant(p_ts timestamptz) returns text
language sql stable parallel safe
return to_char(p_ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

-- The keys of a stored body of type p_type that never leave the database: a Client's (hashed)
-- secret.
create function sluice.hidden_keys(p_type text) returns text[]
language sql immutable parallel safe
return case when p_type = 'Client' then '{secret}'::text[] else '{}'::text[] end;

-- A stored body as it may leave the database, without its hidden keys: every way out (REST,
-- Bundles, $dump, $dump-csv) goes through it, and $dump-sql may not read the tables of a type
-- that has hidden keys (sluice.dump_sql_grant).
create function sluice.public_body(p_type text, p_resource jsonb) returns jsonb
language sql immutable parallel safe
return p_resource - sluice.hidden_keys(p_type);

-- A stored row as the full Aidbox-format resource: id, resourceType and meta (versionId as a
-- string, lastUpdated, createdAt) put back, the body public (sluice.public_body).
create function sluice.resource_full(
  p_type text, p_id text, p_txid bigint, p_cts timestamptz, p_ts timestamptz, p_resource jsonb
) returns jsonb
language sql stable parallel safe
return jsonb_build_object(
    'resourceType', p_type,
    'id', p_id,
    'meta', coalesce(p_resource -> 'meta', '{}') || jsonb_build_object(
      'versionId', p_txid::text,
      'lastUpdated', sluice.iso_instant(p_ts),
      'createdAt', sluice.iso_instant(p_cts)))
  || (sluice.public_body(p_type, p_resource) - 'meta');

-- What a resource body becomes in the resource column: without the keys the row's columns
-- hold (id, resourceType, meta.versionId, meta.lastUpdated, meta.createdAt).
create function sluice.resource_body(p_resource jsonb) returns jsonb
language sql immutable parallel safe
return case
  when p_resource -> 'meta' is null then p_resource - 'id' - 'resourceType'
  when jsonb_typeof(p_resource -> 'meta') = 'object'
    and (p_resource -> 'meta') - 'versionId' - 'lastUpdated' - 'createdAt' <> '{}'
    then jsonb_set(p_resource - 'id' - 'resourceType', '{meta}',
                   (p_resource -> 'meta') - 'versionId' - 'lastUpdated' - 'createdAt')
  else p_resource - 'id' - 'resourceType' - 'meta'
end;

-- Checks a resource body for a write of type p_type and returns its id (generated when the
-- body has none and p_allow_new_id). Raises SL422 naming the problem. Volatile: it may
-- generate an id.
create function sluice.resource_check(p_type text, p_resource jsonb, p_allow_new_id boolean)
returns text
language plpgsql volatile as $$
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

-- Reads one resource in full Aidbox format; SL404 when it does not exist.
create function sluice.resource_read(p_type text, p_id text) returns jsonb
language plpgsql stable as $$
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
end $$;

-- The status of a new row of an id: 'recreated' when the id was deleted before (its history
-- holds a 'deleted' tombstone), else 'created'. The one rule for every write: REST and bundles
-- (sluice.resource_write_status) and loads (sluice.load_merge_type).
create function sluice.new_row_status(p_was_deleted boolean) returns public.resource_status
language sql immutable parallel safe
return case when p_was_deleted then 'recreated' else 'created' end::public.resource_status;

-- Writes one resource and returns it in full Aidbox format.
--   p_mode 'create': POST; the body's id is kept (a new one is generated when it has none);
--                    SL409 when a resource with that id exists.
--   p_mode 'update': PUT; creates or replaces, the previous version goes to history.
-- p_id, when not null, is the id from the URL and wins over (must equal) the body's.
--
-- sluice.resource_write_status does the write and also says what it did (status: created,
-- recreated or updated), so callers answer 201 or 200 from the write itself, not from its
-- timestamps (two writes in one transaction share current_timestamp).
create function sluice.resource_write_status(p_type text, p_id text, p_resource jsonb, p_mode text,
                                             out resource jsonb, out status public.resource_status)
language plpgsql volatile as $$
declare
  v_table   text := sluice.table_of(p_type);
  v_id      text;
  v_body    jsonb;
  v_txid    bigint := nextval('public.transaction_id_seq');
  v_exists  boolean;
  v_deleted boolean;
  v_row     record;
  v_inserted bigint;
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

  -- Lock the live row, if any, so concurrent writers of one id serialise. When there is none,
  -- the insert does nothing if a concurrent transaction inserted the id first (it waits for
  -- that one to end): a create is then a conflict, and an update goes round again to lock and
  -- replace the row that won, so create-or-replace never fails on a race.
  loop
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
      status := 'updated';
      exit;
    end if;
    execute format('select exists (select from public.%I where id = $1 and status = ''deleted'')',
                   v_table || '_history')
      into v_deleted using v_id;
    execute format('insert into public.%I (id, txid, status, resource) values ($1, $2, $3, $4)
                    on conflict (id) do nothing
                    returning id, txid, cts, ts, resource', v_table)
      into v_row
      using v_id, v_txid,
            sluice.new_row_status(v_deleted), v_body;
    get diagnostics v_inserted = row_count;
    if v_inserted = 1 then
      status := sluice.new_row_status(v_deleted);
      exit;
    end if;
    if p_mode = 'create' then
      raise exception using errcode = 'SL409', message = format('%s/%s already exists', p_type, v_id);
    end if;
  end loop;
  resource := sluice.resource_full(p_type, v_row.id, v_row.txid, v_row.cts, v_row.ts, v_row.resource);
end $$;

create function sluice.resource_write(p_type text, p_id text, p_resource jsonb, p_mode text)
returns jsonb
language sql volatile
return (select w.resource from sluice.resource_write_status(p_type, p_id, p_resource, p_mode) w);

-- Deletes one resource: its last version and a 'deleted' tombstone go to history. Returns the
-- deleted resource; SL404 when it does not exist.
create function sluice.resource_delete(p_type text, p_id text) returns jsonb
language plpgsql volatile as $$
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
end $$;

-- PUT / : upserts every resource of a JSON array (each with resourceType and id) in the
-- caller's transaction, and returns them as stored.
create function sluice.resources_put(p_resources jsonb) returns jsonb
language plpgsql volatile as $$
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

-- The path segments of an entry's request.url: '/Patient/pt-1?x=y' -> {Patient, pt-1}. One
-- parser for sluice.bundle_entry and for the access check of an entry (policy.entry_request),
-- so the check sees the type and id the write will use.
create function sluice.entry_url_segments(p_url text) returns text[]
language sql immutable parallel safe
return string_to_array(trim(both '/' from split_part(p_url, '?', 1)), '/');

-- The HTTP status of a write, from what it did: 201 when it made a new row (created,
-- recreated), 200 when it replaced or deleted one. The one rule for REST and Bundle entries.
create function sluice.write_http_status(p_status public.resource_status) returns int
language sql immutable parallel safe
return case when p_status in ('created', 'recreated') then 201 else 200 end;

-- One entry of a transaction or batch Bundle: {request: {method, url}, resource}, run. Returns
-- the resource, the HTTP status as a number (sluice.write_http_status for writes, 200 for a
-- read) and the location (<type>/<id>/_history/<versionId>). The caller decides atomicity: a
-- transaction runs every entry in one database transaction, a batch each in its own.
create function sluice.entry_run(p_entry jsonb,
                                 out resource jsonb, out http_status int, out location text)
language plpgsql volatile as $$
declare
  v_method   text := upper(p_entry #>> '{request,method}');
  v_url      text := p_entry #>> '{request,url}';
  v_parts    text[];
  v_type     text;
  v_id       text;
  v_resource jsonb := p_entry -> 'resource';
begin
  if v_method is null or v_url is null then
    raise exception using errcode = 'SL422', message = 'an entry needs request.method and request.url';
  end if;
  v_parts := sluice.entry_url_segments(v_url);
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
      select w.resource, sluice.write_http_status(w.status) into resource, http_status
        from sluice.resource_write_status(v_type, null, v_resource, 'create') w;
    when v_method = 'PUT' and v_id is not null then
      select w.resource, sluice.write_http_status(w.status) into resource, http_status
        from sluice.resource_write_status(v_type, v_id, v_resource, 'update') w;
    when v_method = 'DELETE' and v_id is not null then
      resource := sluice.resource_delete(v_type, v_id);
      http_status := sluice.write_http_status('deleted');
    when v_method = 'GET' and v_id is not null then
      resource := sluice.resource_read(v_type, v_id);
      http_status := 200;
    else
      raise exception using errcode = 'SL422', message = format('unsupported request %s %s', v_method, v_url);
  end case;
  location := format('%s/%s/_history/%s', v_type, resource ->> 'id', resource #>> '{meta,versionId}');
end $$;

-- The response entry of a Bundle, {resource, response: {status, location}}, with the status
-- as FHIR writes it ('201 Created', '200 OK').
create function sluice.entry_response(p_resource jsonb, p_http_status int, p_location text)
returns jsonb
language sql immutable parallel safe
return jsonb_build_object(
    'resource', p_resource,
    'response', jsonb_build_object(
      'status', p_http_status || case p_http_status when 201 then ' Created' when 200 then ' OK' else '' end,
      'location', p_location));

-- One entry of a transaction or batch Bundle, answered as its response entry (sluice.entry_run
-- does the work).
create function sluice.bundle_entry(p_entry jsonb) returns jsonb
language sql volatile
return (select sluice.entry_response(r.resource, r.http_status, r.location)
        from sluice.entry_run(p_entry) r);
