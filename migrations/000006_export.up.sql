-- Bulk export (SPEC.md section 5): the per-row text of $dump, the leaf paths of $dump-csv, and
-- the database role $dump-sql runs users' queries as. The proxy streams
-- `copy (select sluice.dump_line(...) from public.<table>) to stdout` itself: COPY and a
-- dynamic table name cannot go through a function without materialising the whole result.

-- One $dump line: the full Aidbox-format resource as JSON text (the same value as
-- sluice.resource_full, keys in another order). The common case, a non-empty body without
-- meta, is built as text around resource::text instead of rebuilding the whole document as
-- jsonb (PERF-NOTES "Dumping"): its leading "{" is cut off as bytes, because substr and ltrim
-- on text walk every character of the document. Everything else (an empty body, one with its
-- own meta such as tags or profiles, a Client, whose secret is stripped) goes through
-- sluice.resource_full. The test is one jsonpath so that a large (TOASTed) body is fetched
-- and decompressed twice per row, not once per test. Stable, like what it calls, so the
-- planner inlines all of it into the COPY's query.
create function sluice.dump_line(
  p_type text, p_id text, p_txid bigint, p_cts timestamptz, p_ts timestamptz, p_resource jsonb
) returns text
language sql stable parallel safe
return case
  when p_type = 'Client'
    or not p_resource @@ '$.type() == "object" && !exists($.meta) && exists($.*)'
    then sluice.resource_full(p_type, p_id, p_txid, p_cts, p_ts, p_resource)::text
  else '{"resourceType": ' || to_json(p_type)::text
    || ', "id": ' || to_json(p_id)::text
    || ', "meta": {"versionId": "' || p_txid::text
    || '", "lastUpdated": "' || sluice.iso_instant(p_ts)
    || '", "createdAt": "' || sluice.iso_instant(p_cts)
    || '"}, ' || convert_from(substring(convert_to(p_resource::text, 'UTF8') from 2), 'UTF8')
end;

-- The dotted paths of every leaf (string, number or boolean) of a JSON document, array
-- indices as numbers from 0: {"name": [{"given": ["Alice"]}]} -> name.0.given.0. Nulls and
-- empty arrays or objects are not leaves: they hold no value a CSV field could show.
-- PL/pgSQL rather than an SQL function on purpose: inlined, its recursive CTE would make the
-- whole scan of sluice.dump_csv_paths parallel restricted; as a parallel-safe function called
-- per row, the scan is shared by parallel workers.
create function sluice.json_leaf_paths(p_doc jsonb) returns setof text
language plpgsql immutable parallel safe as $$
begin
  return query
  with recursive walk (path, value) as (
    select null::text, p_doc
    union all
    select concat_ws('.', w.path, e.key), e.value
    from walk as w
    cross join lateral (
      select o.key, o.value
      from jsonb_each(case when jsonb_typeof(w.value) = 'object' then w.value end) as o
      union all
      select (a.n - 1)::text, a.value
      from jsonb_array_elements(case when jsonb_typeof(w.value) = 'array' then w.value end)
        with ordinality as a (value, n)
    ) as e
  )
  select walk.path from walk where jsonb_typeof(walk.value) in ('string', 'number', 'boolean');
end $$;

-- The stored body a $dump-csv shows: a Client's (hashed) secret never leaves the database.
create function sluice.dump_csv_body(p_type text, p_resource jsonb) returns jsonb
language sql immutable parallel safe
return case when p_type = 'Client' then p_resource - 'secret' else p_resource end;

-- $dump-csv's columns before its first row: the distinct leaf paths of the stored bodies of
-- one type (no meta columns: versionId and the timestamps live in columns, not in resource),
-- plus id and resourceType, in no particular order (the proxy sorts them bytewise, whatever
-- the database's collation). One pass over the table; SL404 for an unknown type. Run it and
-- the COPY of the rows in one repeatable-read transaction so both see the same rows.
create function sluice.dump_csv_paths(p_type text) returns setof text
language plpgsql stable as $$
begin
  return query execute format(
    'select distinct p.path
       from public.%I as t
       cross join lateral sluice.json_leaf_paths(sluice.dump_csv_body(t.resource_type, t.resource)) as p(path)
      where t.status <> ''deleted''
     union
     select unnest(array[''id'', ''resourceType''])', sluice.table_of(p_type));
end $$;

-- $dump-sql runs users' queries on a connection that logs in as sluice_reader: it may read the
-- resource and history tables, except Client's (secret hashes), and nothing else of sluice's
-- (no usage on schemas sluice, policy or fhir, no sequences, no other tables). Logging in as
-- it, rather than SET ROLE from the server's own (often superuser) connection, means a query
-- cannot switch back. Roles belong to the cluster, grants to each database: the role is made
-- once (a DBA may make it beforehand, with a password for remote logins); the grants here.
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'sluice_reader') then
    create role sluice_reader login nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
  end if;
exception when duplicate_object or unique_violation then
  null; -- another database of the cluster made it at the same moment
end $$;

-- Grants sluice_reader read access to every registered resource type's table and history table
-- but Client's. A later migration that registers resource types calls it again.
create function sluice.dump_sql_grant() returns void
language plpgsql volatile as $$
declare
  v_table text;
begin
  execute 'grant usage on schema public to sluice_reader';
  for v_table in select table_name from sluice.resource_type where name <> 'Client' order by 1 loop
    execute format('grant select on public.%I, public.%I to sluice_reader', v_table, v_table || '_history');
  end loop;
end $$;

select sluice.dump_sql_grant();
