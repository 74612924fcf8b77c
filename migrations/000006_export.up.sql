-- Bulk export (docs/api.md, "Bulk export"): the per-row text of $dump, the leaf paths of $dump-csv, and
-- the database role $dump-sql runs users' queries as. The proxy streams
-- `copy (select sluice.dump_line(...) from public.<table>) to stdout` itself: COPY and a
-- dynamic table name cannot go through a function without materialising the whole result.

-- One $dump line: the full Aidbox-format resource as JSON text (the same value as
-- sluice.resource_full, keys in another order). The common case, a non-empty body without
-- meta, is built as text around resource::text instead of rebuilding the whole document as
-- jsonb (docs/performance.md, "Dumping"): its leading "{" is cut off as bytes, because substr and ltrim
-- on text walk every character of the document. Everything else (an empty body, one with its
-- own meta such as tags or profiles, a type with hidden keys such as Client) goes through
-- sluice.resource_full. The test is one jsonpath so that a large (TOASTed) body is fetched
-- and decompressed twice per row, not once per test. Stable, like what it calls, so the
-- planner inlines all of it into the COPY's query.
create function sluice.dump_line(
  p_type text, p_id text, p_txid bigint, p_cts timestamptz, p_ts timestamptz, p_resource jsonb
) returns text
language sql stable parallel safe
return case
  when cardinality(sluice.hidden_keys(p_type)) > 0
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
       cross join lateral sluice.json_leaf_paths(sluice.public_body(t.resource_type, t.resource)) as p(path)
      where t.status <> ''deleted''
     union
     select unnest(array[''id'', ''resourceType''])', sluice.table_of(p_type));
end $$;

-- $dump-sql runs each user's query on a connection of its own that logs in as a role made for
-- that one request, sluice_sql_<random>, a member of sluice_reader: it may read the resource and
-- history tables, except Client's (secret hashes), and nothing else of sluice's (no usage on
-- schemas sluice, policy or fhir, no sequences, no other tables). Logging in, rather than SET
-- ROLE from the server's own (often superuser) connection, means a query cannot switch back.
-- A role per request, rather than every query logging in as sluice_reader, keeps the sessions
-- apart: pg_stat_activity shows a session's query text, and pg_cancel_backend and
-- pg_terminate_backend signal it, only for a role that has the privileges of the session's
-- role, and no per-request role has another's. sluice_reader itself is a group that never logs
-- in (its sessions would be visible to, and signalled by, every member).
-- Roles belong to the cluster, grants to each database: the group is made once (a DBA may
-- make it beforehand); the grants here.
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'sluice_reader') then
    create role sluice_reader nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
  elsif (select rolcanlogin from pg_catalog.pg_roles where rolname = 'sluice_reader') then
    -- made by an earlier version, which logged in as it
    alter role sluice_reader nologin;
  end if;
exception when duplicate_object or unique_violation then
  null; -- another database of the cluster made it at the same moment
end $$;

-- Grants sluice_reader read access to every registered resource type's table and history table
-- but those of types with hidden keys (sluice.hidden_keys: Client's). A later migration that
-- registers resource types calls it again.
create function sluice.dump_sql_grant() returns void
language plpgsql volatile as $$
declare
  v_table text;
begin
  execute 'grant usage on schema public to sluice_reader';
  for v_table in select table_name from sluice.resource_type
                  where cardinality(sluice.hidden_keys(name)) = 0 order by 1 loop
    execute format('grant select on public.%I, public.%I to sluice_reader', v_table, v_table || '_history');
  end loop;
end $$;

select sluice.dump_sql_grant();

-- The per-request roles of $dump-sql. dump_sql_login makes one for the proxy and returns its
-- name and a random password; dump_sql_logout drops it when the request ends. Both run as
-- their owner, the role that ran the migrations, which needs CREATEROLE (PostgreSQL 16 and
-- later: also ADMIN OPTION on sluice_reader, which its creator has); nobody else may call
-- them. A role may log in once (CONNECTION LIMIT 1) and only within a minute (VALID UNTIL,
-- checked by password authentication): the proxy logs in at once. pg_hba.conf must let the
-- members of sluice_reader log in (`+sluice_reader`), with a password unless the connection
-- is trusted anyway (the embedded cluster's unix socket).

-- Is p_role one of the per-request roles (its name, and a member of sluice_reader)? Nothing
-- else is ever dropped.
create function sluice.dump_sql_role(p_role text) returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
return p_role like 'sluice\_sql\_%'
  and exists (select from pg_catalog.pg_roles as r
              where r.rolname = p_role and pg_catalog.pg_has_role(r.oid, 'sluice_reader', 'member'));

-- Drops a per-request role if it still exists (nothing depends on it: it reads, in read-only
-- transactions, and is granted nothing of its own). A session of it that is still ending keeps
-- running as a dropped role for the moment it takes.
create function sluice.dump_sql_logout(p_role text) returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if sluice.dump_sql_role(p_role) then
    execute format('drop role if exists %I', p_role);
  end if;
end $$;

-- Drops the per-request roles a crashed server left behind: expired, so nobody can log in as
-- them any more, and without a session. Another server of the cluster may be dropping the same
-- one at the same moment.
create function sluice.dump_sql_drop_stale() returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_stale text;
begin
  for v_stale in
    select r.rolname from pg_catalog.pg_roles as r
    where r.rolvaliduntil < now() and sluice.dump_sql_role(r.rolname)
      and not exists (select from pg_catalog.pg_stat_activity as a where a.usesysid = r.oid)
  loop
    begin
      execute format('drop role if exists %I', v_stale);
    exception when others then
      null; -- dropped by someone else, or not droppable from here: the next call tries again
    end;
  end loop;
end $$;

-- The SCRAM-SHA-256 secret of p_password (RFC 5802, RFC 7677) in the form PostgreSQL stores,
-- so that CREATE ROLE never holds the password itself: an error's context, an audit log
-- (pgaudit) or pg_stat_statements may record the statement. One iteration: the iterations
-- slow down guessing a password a person chose; these are 256 random bits.
create function sluice.scram_secret(p_password text) returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_salt bytea := public.gen_random_bytes(16);
  -- Hi(password, salt, 1) = HMAC(password, salt || INT(1))
  v_salted bytea := public.hmac(v_salt || '\x00000001'::bytea, convert_to(p_password, 'UTF8'), 'sha256');
begin
  return format('SCRAM-SHA-256$1:%s$%s:%s', encode(v_salt, 'base64'),
    encode(public.digest(public.hmac('Client Key'::bytea, v_salted, 'sha256'), 'sha256'), 'base64'),
    encode(public.hmac('Server Key'::bytea, v_salted, 'sha256'), 'base64'));
end $$;

-- Makes a per-request role (after the stale ones are gone) and returns its name and password.
create function sluice.dump_sql_login(out role_name text, out password text)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform sluice.dump_sql_drop_stale();
  role_name := 'sluice_sql_' || replace(gen_random_uuid()::text, '-', '');
  password := encode(public.gen_random_bytes(32), 'hex');
  execute format('create role %I login nosuperuser nocreatedb nocreaterole noreplication nobypassrls inherit'
                 ' connection limit 1 password %L valid until %L in role sluice_reader',
                 role_name, sluice.scram_secret(password), now() + interval '1 minute');
end $$;

revoke all on function sluice.dump_sql_login(), sluice.dump_sql_logout(text) from public;
