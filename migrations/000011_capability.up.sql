-- What a stock FHIR client asks for besides reads and writes (docs/api.md, "Versions" and
-- "CapabilityStatement"):
--   * the versions of a resource: vread (GET <type>/<id>/_history/<vid>) and the history of an
--     instance (GET <type>/<id>/_history), read from the type's table and <type>_history
--     (000001: a version's id is the txid of the write that made it; an update copies the
--     replaced row to history; a delete copies the last row and adds a 'deleted' tombstone
--     of its own txid);
--   * the CapabilityStatement (GET /fhir/metadata), built from the registered types: the one
--     request anyone may make without credentials (policy.public_request, 000002), which
--     clients fetch before they know how to authenticate.
--
-- Errors use SQLSTATE 'SL' || <HTTP status> like 000001: SL404 unknown type, resource or
-- version, SL410 a version that is a deletion.

-- A version id as the tables hold it (a txid), or null when p_vid cannot be one: version ids
-- are digits, and more than 18 of them would not fit a bigint.
create function sluice.version_number(p_vid text) returns bigint
language sql immutable parallel safe
return case when p_vid ~ '^[0-9]{1,18}$' then p_vid::bigint end;

-- The versions of resource p_type/p_id, newest first: the live row (absent once deleted) and
-- the history rows, tombstones included; only those older than version p_before (null: from
-- the newest), at most p_limit. The history is read backwards along its primary key (id, txid)
-- and limited there, so a page costs p_limit rows however long the history is (without the
-- inner limit, the planner may scan every version of the id and sort them).
create function sluice.resource_versions(p_type text, p_id text, p_before bigint, p_limit bigint)
returns table (txid bigint, cts timestamptz, ts timestamptz, status public.resource_status, resource jsonb)
language plpgsql stable as $$
declare
  v_table text := sluice.table_of(p_type);
begin
  return query execute format($sql$
    select v.txid, v.cts, v.ts, v.status, v.resource
    from ((select t.txid, t.cts, t.ts, t.status, t.resource from public.%1$I t
           where t.id = $1 and t.txid < $2)
          union all
          (select h.txid, h.cts, h.ts, h.status, h.resource from public.%2$I h
           where h.id = $1 and h.txid < $2 order by h.txid desc limit $3)) v
    order by v.txid desc
    limit $3$sql$, v_table, v_table || '_history')
    using p_id, coalesce(p_before, 9223372036854775807), p_limit;
end $$;

-- vread: version p_vid of p_type/p_id, in full Aidbox format (FHIR format with p_fhir, as a
-- read under /fhir answers it), with what the ETag and Last-Modified headers say: its version
-- id and time. SL404 when the type, the resource or the version is unknown (a version id that
-- is not a number is unknown); SL410 when that version is the deletion of the resource, as
-- FHIR asks of vread.
create function sluice.resource_vread(p_fhir boolean, p_type text, p_id text, p_vid text,
                                      out resource jsonb, out version_id text, out last_modified timestamptz)
language plpgsql stable as $$
declare
  v_table text := sluice.table_of(p_type);
  v_txid  bigint := sluice.version_number(p_vid);
  v_row   record;
begin
  execute format($sql$
    select txid, cts, ts, status, resource from public.%1$I where id = $1 and txid = $2
    union all
    select txid, cts, ts, status, resource from public.%2$I where id = $1 and txid = $2$sql$,
    v_table, v_table || '_history')
    into v_row using p_id, v_txid;
  if v_row.txid is null then
    if exists (select from sluice.resource_versions(p_type, p_id, null, 1)) then
      raise exception using errcode = 'SL404', message = format('%s/%s has no version %s', p_type, p_id, p_vid);
    end if;
    raise exception using errcode = 'SL404', message = format('%s/%s not found', p_type, p_id);
  end if;
  if v_row.status = 'deleted' then
    raise exception using errcode = 'SL410',
      message = format('%s/%s was deleted in version %s', p_type, p_id, p_vid);
  end if;
  resource := sluice.resource_full(p_type, p_id, v_row.txid, v_row.cts, v_row.ts, v_row.resource);
  if p_fhir then
    resource := fhir.to_fhir(resource);
  end if;
  version_id := v_row.txid::text;
  last_modified := v_row.ts;
end $$;

-- One entry of a history Bundle as JSON text (FHIR R4 Bundle.entry of a history): fullUrl,
-- the resource (p_resource, JSON text already in the answer's format; none for a deletion),
-- request {method, url} and response {status, etag, lastModified}. The write that made a
-- version is told by its status, since the method itself is not stored: created -> POST
-- <type> 201, updated -> PUT <type>/<id> 200, recreated (written again after a delete) -> PUT
-- <type>/<id> 201, deleted -> DELETE <type>/<id> 200 (what sluice's DELETE answers).
create function sluice.history_entry(p_base text, p_type text, p_id text, p_txid bigint,
                                     p_ts timestamptz, p_status public.resource_status, p_resource text)
returns text
language sql stable parallel safe
return '{"fullUrl":' || to_json(p_base || '/' || p_type || '/' || p_id)::text
  || case when p_status <> 'deleted' then ',"resource":' || p_resource else '' end
  || ',"request":' || jsonb_build_object(
       'method', case p_status when 'created' then 'POST' when 'deleted' then 'DELETE' else 'PUT' end,
       'url', case p_status when 'created' then p_type else p_type || '/' || p_id end)::text
  || ',"response":' || jsonb_build_object(
       'status', case when p_status in ('created', 'recreated') then '201 Created' else '200 OK' end,
       'etag', format('W/"%s"', p_txid),
       'lastModified', sluice.iso_instant(p_ts))::text
  || '}';

-- The history of p_type/p_id: one page of a FHIR R4 Bundle of type history, as JSON text,
-- newest version first. p_base is where the resources live (http://host/fhir, or
-- http://host for Aidbox format, which p_fhir false gives), for fullUrl and the links. A page
-- holds at most p_count versions and stops before the version that would take its entries
-- past p_max_bytes (the first is always in), so the memory a page takes is bounded whatever the
-- history; when versions are left, link has a next page: older than the page's last version
-- (_versionBefore). SL404 when the type is unknown, or the resource has no version at all
-- (a page past the last is an empty Bundle).
create function sluice.history_page(p_fhir boolean, p_type text, p_id text, p_base text,
                                    p_count int, p_before bigint, p_max_bytes bigint)
returns text
language plpgsql stable as $$
declare
  v_attributes jsonb;
  v_row        record;
  v_entry      text;
  v_entries    text[] := '{}';
  v_bytes      bigint := 0;
  v_last       bigint;
  v_more       boolean := false;
  v_url        text := p_base || '/' || p_type || '/' || p_id || '/_history?_count=' || p_count;
begin
  if not sluice.is_valid_id(p_id) then
    -- No version can have such an id, and it would go into the links unescaped.
    raise exception using errcode = 'SL404', message = format('%s/%s not found', p_type, p_id);
  end if;
  if p_count is null or p_count < 1 then
    raise exception using errcode = 'SL400', message = format('_count must be at least 1, got %s', p_count);
  end if;
  if p_fhir then
    v_attributes := fhir.attributes(p_type); -- once for the page, not per version
  end if;
  for v_row in select * from sluice.resource_versions(p_type, p_id, p_before, p_count + 1) loop
    if cardinality(v_entries) = p_count then
      v_more := true;
      exit;
    end if;
    v_entry := sluice.history_entry(p_base, p_type, p_id, v_row.txid, v_row.ts, v_row.status,
      case when p_fhir then fhir.row_to_fhir(p_type, p_id, v_row.txid, v_row.cts, v_row.ts, v_row.resource, v_attributes)
           else sluice.resource_full(p_type, p_id, v_row.txid, v_row.cts, v_row.ts, v_row.resource)::text end);
    if cardinality(v_entries) > 0 and v_bytes + octet_length(v_entry) > p_max_bytes then
      v_more := true;
      exit;
    end if;
    v_entries := v_entries || v_entry;
    v_bytes := v_bytes + octet_length(v_entry);
    v_last := v_row.txid;
  end loop;
  if cardinality(v_entries) = 0 and p_before is null then
    raise exception using errcode = 'SL404', message = format('%s/%s not found', p_type, p_id);
  end if;
  return '{"resourceType":"Bundle","type":"history","link":'
    || (jsonb_build_array(jsonb_build_object('relation', 'self', 'url', v_url || coalesce('&_versionBefore=' || p_before, '')))
        || case when v_more then jsonb_build_array(jsonb_build_object('relation', 'next', 'url', v_url || '&_versionBefore=' || v_last))
                else '[]' end)::text
    || ',"entry":[' || array_to_string(v_entries, ',') || ']}';
end $$;

-- rest.security of the CapabilityStatement: how clients authenticate. The one place that
-- lists the schemes: add SMART-on-FHIR here (the service code and the oauth-uris extension)
-- when sluice takes Bearer tokens.
create function fhir.capability_security(p_token_url text default null) returns jsonb
language sql immutable parallel safe
return jsonb_strip_nulls(jsonb_build_object(
  'cors', false,
  'service', jsonb_build_array(
    jsonb_build_object(
      'coding', jsonb_build_array(jsonb_build_object(
        'system', 'http://terminology.hl7.org/CodeSystem/restful-security-service',
        'code', 'SMART-on-FHIR', 'display', 'SMART-on-FHIR')),
      'text', 'Bearer tokens from the token endpoint: client_credentials with a Client''s secret, '
        || 'or a SMART Backend Services assertion signed RS384 or ES384'),
    jsonb_build_object(
      'coding', jsonb_build_array(jsonb_build_object(
        'system', 'http://terminology.hl7.org/CodeSystem/restful-security-service',
        'code', 'Basic', 'display', 'Basic')),
      'text', 'HTTP Basic: a Client''s id and secret')),
  -- Where SMART clients find the token endpoint (the SMART App Launch oauth-uris extension).
  'extension', case when p_token_url is not null then jsonb_build_array(jsonb_build_object(
    'url', 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
    'extension', jsonb_build_array(jsonb_build_object('url', 'token', 'valueUri', p_token_url)))) end,
  'description', 'HTTP Basic with the id and secret of a Client resource, or a Bearer token from the token '
    || 'endpoint; AccessPolicy resources (and a token''s scope) decide what each client may do. '
    || 'Only this statement is readable without credentials.'));

-- The operations sluice serves, as the CapabilityStatement lists them: the Bulk Data export
-- (IG v2) at the system level (resource_type null) and on Patient and Group.
create function fhir.capability_operations()
returns table (resource_type text, name text, definition text)
language sql immutable parallel safe
begin atomic
  values (null::text, 'export', 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export'),
         ('Patient', 'export', 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export'),
         ('Group', 'export', 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export');
end;

-- The CapabilityStatement of GET /fhir/metadata (FHIR R4): every FHIR type registered in
-- sluice.resource_type (kind fhir; the system types Client, AccessPolicy, ... are not FHIR
-- types and are left out) with the interactions the REST API serves on each (proxy/server.go
-- routes them: create, read, vread, update, delete, history-instance; no search), transaction
-- and batch Bundles at the system level, the operations of fhir.capability_operations and the
-- security of fhir.capability_security. p_base, when given, is the server's FHIR base URL
-- (implementation.url), p_token_url its token endpoint (the security extension). date is the
-- time of the call: the statement is made, not stored.
create function fhir.capability_statement(p_base text default null, p_token_url text default null) returns jsonb
language sql stable parallel safe
return jsonb_build_object(
  'resourceType', 'CapabilityStatement',
  'status', 'active',
  'date', sluice.iso_instant(now()),
  'publisher', 'sluice',
  'kind', 'instance',
  'instantiates', jsonb_build_array('http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data'),
  'software', jsonb_build_object('name', 'sluice'),
  'implementation', jsonb_strip_nulls(jsonb_build_object(
    'description', 'sluice: a PostgreSQL-native FHIR store with a streaming Bulk API',
    'url', p_base)),
  'fhirVersion', '4.0.1',
  'format', jsonb_build_array('application/fhir+json', 'json', 'application/fhir+ndjson', 'ndjson'),
  'rest', jsonb_build_array(jsonb_build_object(
    'mode', 'server',
    'security', fhir.capability_security(p_token_url),
    'resource', (
      select coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'type', t.name,
               'profile', 'http://hl7.org/fhir/StructureDefinition/' || t.name,
               'interaction', (select jsonb_agg(jsonb_build_object('code', i.code) order by i.n)
                               from unnest(array['read', 'vread', 'update', 'delete', 'history-instance', 'create'])
                                      with ordinality as i(code, n)),
               'versioning', 'versioned',
               'readHistory', true,
               'updateCreate', true,
               'operation', (select jsonb_agg(jsonb_build_object('name', o.name, 'definition', o.definition))
                             from fhir.capability_operations() o where o.resource_type = t.name)))
             order by t.name), '[]')
      from sluice.resource_type t
      where t.kind = 'fhir'),
    'interaction', jsonb_build_array(jsonb_build_object('code', 'transaction'), jsonb_build_object('code', 'batch')),
    'operation', (select jsonb_agg(jsonb_build_object('name', o.name, 'definition', o.definition))
                  from fhir.capability_operations() o where o.resource_type is null))));
