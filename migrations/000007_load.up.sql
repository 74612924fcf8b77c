-- Bulk load (docs/api.md, docs/import.md): the staging table and merge behind $load, and the job and
-- input tables behind the asynchronous $import.
--
-- A load is one transaction:
--   select sluice.load_stage();       -- creates sluice."load:<backend pid>" and returns its name
--   copy sluice."load:4242" (line_no, resource_type, id, cts, resource) from stdin ...;
--     -- (..., line) instead of resource for FHIR lines
--   select * from sluice.load_merge(null, false, false, false, null, false);  -- (Patient, 10), ...
-- The proxy fills the staging table from the source's lines: it takes each line apart once
-- (line number, resourceType, id, meta.createdAt) and, for the Aidbox format, leaves in
-- `resource` exactly the body the resource table stores, so PostgreSQL parses every line into
-- jsonb once, at the merge, and never rewrites it. A psql user can fill the table the same way.
--
-- The staging table is an ordinary unlogged table, not a temporary one, so that parallel
-- workers can read it: FHIR lines are converted by a parallel CREATE TABLE AS (PostgreSQL 15
-- runs INSERT ... SELECT on one core only), and the conversion is most of a FHIR load's cost.
-- It belongs to the load's transaction: created and dropped there, gone with it on a rollback
-- or a crash, and invisible to every other session meanwhile. One backend runs one load at a
-- time, so its pid makes the name unique.

-- The staging table of this backend's load, as an SQL identifier; with p_part, another table of
-- that load (sluice.load_convert's ':aidbox').
create function sluice.load_table(p_part text default '') returns text
language sql stable
return format('sluice.%I', 'load:' || pg_backend_pid() || p_part);

-- Creates the staging table of one load in the caller's transaction and returns its name.
-- line_no is the line of the source (blank lines counted), which errors name. Everything is
-- staged as text, which a COPY takes without parsing: the body as stored in resource (Aidbox
-- format) or the line as it came in line (FHIR), and meta.createdAt in cts. The merge casts
-- them (the FHIR lines in the parallel workers that convert them, sluice.load_convert), and
-- only when a cast fails does sluice.load_check_lines look for the line to name: a COPY error
-- would name it only in its CONTEXT text.
create function sluice.load_stage() returns text
language plpgsql volatile as $$
declare
  v_table text := sluice.load_table();
begin
  execute format('drop table if exists %s', v_table);
  execute format($ddl$
    create unlogged table %1$s (
      line_no       bigint not null,
      resource_type text,
      id            text,
      cts           text,
      resource      text,
      line          text
    );
    -- ANALYZE (run for multi-type and update loads) then skips the documents themselves.
    alter table %1$s alter column resource set statistics 0, alter column line set statistics 0;
    -- Staged documents are read once, at the merge: compressing them (PostgreSQL's default for
    -- a large value) costs more than it saves, and the resource table compresses them anyway
    -- (about a third of the time of a raw COPY of ExplanationOfBenefit went into it here).
    alter table %1$s alter column resource set storage external, alter column line set storage external$ddl$,
    v_table);
  return v_table;
end $$;

-- Writes the staged rows of one type from p_source (the staging table, or the converted copy
-- of a FHIR load) into its table and returns how many were written. p_expr is the SQL
-- expression of the stored body over the row `s` ($2 is the merge object). p_plain, for a
-- table that was empty, inserts without ON CONFLICT (cheaper per row). Raises
-- cardinality_violation (or unique_violation when p_plain) when an id appears on more than one
-- line.
create function sluice.load_merge_type(p_source text, p_type text, p_expr text, p_merge jsonb,
                                       p_txid bigint, p_update boolean, p_plain boolean)
returns bigint
language plpgsql volatile as $$
declare
  v_table text := sluice.table_of(p_type);
  v_count bigint;
  v_has_history boolean;
  v_was_deleted text := 'false';
begin
  -- A new row after a delete is recreated (sluice.new_row_status): probe the history per row,
  -- but only when it has rows at all (checked once; a first load into an empty type skips it).
  execute format('select exists (select from public.%I)', v_table || '_history') into v_has_history;
  if v_has_history then
    v_was_deleted := format('exists (select from public.%I h where h.id = s.id and h.status = ''deleted'')',
                            v_table || '_history');
  end if;
  if p_update then
    execute format($sql$
      insert into public.%I (id, txid, cts, ts, resource_type, status, resource)
      select t.id, t.txid, t.cts, t.ts, t.resource_type, t.status, t.resource
      from public.%I t
      where t.id in (select s.id from %s s where s.resource_type = $1)$sql$,
      v_table || '_history', v_table, p_source)
      using p_type;
  end if;
  execute format($sql$
    insert into public.%I as t (id, txid, cts, ts, status, resource)
    select s.id, $3, coalesce(s.cts::timestamptz, current_timestamp), current_timestamp,
           sluice.new_row_status(%s),
           %s
    from %s s
    where s.resource_type = $1
    %s$sql$,
    v_table, v_was_deleted, p_expr, p_source,
    case when not p_plain then 'on conflict (id) do update
      set txid = excluded.txid, ts = excluded.ts, status = ''updated'', resource = excluded.resource' end)
    using p_type, p_merge, p_txid;
  get diagnostics v_count = row_count;
  return v_count;
end $$;

-- Converts the staged FHIR lines into sluice."load:<pid>:aidbox" (returned), whose resource
-- column is the body to store: p_expr over the staged row `s` (its text in s.line), with $1 each
-- type's first-class extension Attributes ({type: attributes}, read once per load) and $2 the
-- merge object, as in sluice.load_merge_type. A parallel CREATE TABLE AS: the workers share the parsing and the conversion.
-- Raises SL422 naming the first line that is not JSON or that the conversion refuses.
create function sluice.load_convert(p_stage text, p_expr text, p_merge jsonb, p_attributes jsonb)
returns text
language plpgsql volatile as $$
declare
  v_table  text := sluice.load_table(':aidbox');
  v_row    record;
  v_detail text;
begin
  -- The conversion runs in parallel (sluice.bulk_parallel). The leader compresses the large
  -- converted bodies as it writes them, and the merge then copies them compressed into the
  -- resource table: compress them as that does.
  perform sluice.bulk_parallel(),
          set_config('default_toast_compression', sluice.body_compression(), true);
  execute format('drop table if exists %s', v_table);
  begin
    execute format($sql$
      create unlogged table %s as
      select s.line_no, s.resource_type, s.id, s.cts, %s as resource
      from %s s
      where s.resource_type is not null$sql$, v_table, p_expr, p_stage)
      using p_attributes, p_merge;
  exception when others then
    -- A line that is not JSON or that the conversion refuses: find it, so the error can name it.
    for v_row in execute format(
        'select s.line_no, s.resource_type, s.line from %s s where s.resource_type is not null order by s.line_no',
        p_stage) loop
      begin
        perform v_row.line::jsonb;
      exception when others then
        get stacked diagnostics v_detail = pg_exception_detail;
        raise exception using errcode = 'SL422',
          message = format('line %s: not JSON: %s%s', v_row.line_no, sqlerrm, ' (' || nullif(v_detail, '') || ')');
      end;
      begin
        execute format('select %s from (select $3 as resource_type, $4::text as line) s', p_expr)
          using p_attributes, p_merge, v_row.resource_type, v_row.line;
      exception when others then
        raise exception using errcode = 'SL422', message = format('line %s: %s', v_row.line_no, sqlerrm);
      end;
    end loop;
    raise;
  end;
  return v_table;
end $$;

-- Raises SL422 naming the first staged line of p_stage whose body (resource) is not JSON or
-- whose meta.createdAt (cts) is not a date-time, and returns when there is none. The merge
-- calls it after one of its casts failed: row by row, so only then.
create function sluice.load_check_lines(p_stage text) returns void
language plpgsql volatile as $$
declare
  v_row    record;
  v_detail text;
begin
  for v_row in execute format(
      'select line_no, resource, cts from %s where resource_type is not null order by line_no', p_stage) loop
    begin
      perform v_row.resource::jsonb, v_row.cts::timestamptz;
    exception when others then
      begin
        perform v_row.resource::jsonb;
      exception when others then
        get stacked diagnostics v_detail = pg_exception_detail;
        raise exception using errcode = 'SL422', message = format(
          'line %s: not JSON: %s%s', v_row.line_no, sqlerrm, ' (' || nullif(v_detail, '') || ')');
      end;
      get stacked diagnostics v_detail = pg_exception_detail;
      raise exception using errcode = 'SL422', message = format(
        'line %s: meta.createdAt is not a date-time: %s%s', v_row.line_no, sqlerrm, ' (' || nullif(v_detail, '') || ')');
    end;
  end loop;
end $$;

-- Validates and merges the staged lines into the resource tables, and returns the number of
-- resources written per type, a row each (resource_type, written). Drops the staging table.
--   p_types        the types on the staged lines, when the caller knows them (null: found here)
--   p_fhir         the lines are FHIR format: converted with fhir.body_from_fhir
--   p_update       the previous version of an existing resource goes to <type>_history
--   p_strip_nulls  null values are removed (jsonb_strip_nulls) before anything else
--   p_merge        an object shallow-merged into every resource (its keys win)
--   p_operator     the caller is the operator, who alone may load the types whose rows grant
--                  or configure access (sluice.guards_access: Client, AccessPolicy)
-- Within the load the last line of an id wins. Raises SL422 naming the line of the problem, and
-- SL403 naming the first line of a type only the operator may load.
create function sluice.load_merge(p_types text[], p_fhir boolean, p_update boolean,
                                  p_strip_nulls boolean, p_merge jsonb, p_operator boolean)
returns table (resource_type text, written bigint)
language plpgsql volatile as $$
declare
  v_stage   text := sluice.load_table();
  v_source  text := v_stage;
  v_type    text;
  v_line    bigint;
  v_expr    text := case when p_fhir then 's.line::jsonb' else 's.resource::jsonb' end;
  v_txid    bigint := nextval('public.transaction_id_seq');
  v_count   bigint;
  v_plain   boolean;
begin
  if p_merge is not null and jsonb_typeof(p_merge) <> 'object' then
    raise exception using errcode = 'SL422',
      message = format('merge must be an object, got %s', jsonb_typeof(p_merge));
  end if;
  if p_types is null then
    execute format('select coalesce(array_agg(distinct resource_type), ''{}'') from %s where resource_type is not null',
                   v_stage) into p_types;
  end if;
  foreach v_type in array p_types loop
    if sluice.resource_type_of(v_type) is null then
      execute format('select min(line_no) from %s where resource_type = $1', v_stage) into v_line using v_type;
      raise exception using errcode = 'SL422',
        message = format('line %s: unknown resourceType %s', v_line, v_type);
    end if;
    if sluice.guards_access(v_type) and p_operator is not true then
      execute format('select min(line_no) from %s where resource_type = $1', v_stage) into v_line using v_type;
      raise exception using errcode = 'SL403', message = format(
        'line %s: %s resources grant or configure access; only the operator may load them', v_line, v_type);
    end if;
  end loop;

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
    v_source := sluice.load_convert(v_stage, format('fhir.body_from_fhir(%s, $1 -> s.resource_type)', v_expr),
      p_merge, (select coalesce(jsonb_object_agg(t, a), '{}') from unnest(p_types) as t,
                lateral fhir.attributes(t) as a where a is not null));
    v_expr := 's.resource';
  end if;

  if cardinality(p_types) > 1 then
    execute format('create index on %s (resource_type)', v_source);
  end if;
  if cardinality(p_types) > 1 or p_update then
    execute format('analyze %s', v_source);
  end if;

  foreach v_type in array p_types loop
    execute format('select not exists (select from public.%I)', sluice.table_of(v_type)) into v_plain;
    begin
      begin
        v_count := sluice.load_merge_type(v_source, v_type, v_expr, p_merge, v_txid, p_update, v_plain);
      exception
        when cardinality_violation or unique_violation then
          -- An id on several lines (or written meanwhile by another transaction, when the
          -- table was empty): keep each id's last line, then upsert.
          execute format($sql$
            delete from %1$s s
            using (select id, max(line_no) as last_line from %1$s
                   where resource_type = $1 group by id having count(*) > 1) d
            where s.resource_type = $1 and s.id = d.id and s.line_no < d.last_line$sql$, v_source)
            using v_type;
          v_count := sluice.load_merge_type(v_source, v_type, v_expr, p_merge, v_txid, p_update, false);
      end;
    exception when data_exception or program_limit_exceeded then
      -- A body that is not JSON (or nested deeper than the parser's stack allows), a createdAt
      -- that is not a date-time: name its line.
      perform sluice.load_check_lines(v_stage);
      raise;
    end;
    resource_type := v_type;
    written := v_count;
    return next;
  end loop;
  execute format('drop table %s', v_stage);
  if v_source <> v_stage then
    execute format('drop table %s', v_source);
  end if;
end $$;

-- $import: one job row per POST, one input row per file. Workers claim waiting inputs with
-- FOR UPDATE SKIP LOCKED in the transaction that loads them and mark them finished in that same
-- transaction, so an input is loaded exactly once even when a server dies mid-way: its lock
-- goes with its connection and the input, still waiting, is claimed again.
--
-- A job belongs to the client that created it (client_id; null: the operator). The functions
-- below take the caller the same way (p_client: a Client id, or null for the operator): a job
-- is visible only to its client and to the operator, and only the operator's jobs may load the
-- types that grant or configure access.
create table sluice.import_job (
  id               text primary key,
  type             text not null check (type in ('aidbox', 'fhir')),
  content_encoding text,
  update           boolean not null default false,
  request          jsonb not null,
  created          timestamptz not null default current_timestamp,
  cancelled        timestamptz,
  client_id        text
);

create table sluice.import_input (
  key           bigint generated always as identity primary key,
  job_id        text not null references sluice.import_job (id) on delete cascade,
  position      int not null,
  resource_type text not null,
  -- The URL as given, which the worker fetches; statuses show sluice.url_redacted(url).
  url           text not null,
  -- 'in-progress' is not stored: an input is in progress while a backend holds it (see
  -- sluice.import_status), which no crash can leave stale.
  status        text not null default 'waiting'
                check (status in ('waiting', 'finished', 'failed', 'cancelled')),
  total         bigint,
  duration      bigint,
  ts            timestamptz,
  error         text,
  unique (job_id, position)
);

create index import_input_waiting on sluice.import_input (key) where status = 'waiting';

-- Import workers LISTEN instead of polling (they still look every 30 s, for a notification
-- lost while a listener reconnects). sluice_import_input: an input was queued, or one ended and
-- freed its client's slot, so there may be one to claim. sluice_import_cancel: the job named in
-- the payload was cancelled, so its running input must stop. PostgreSQL sends them at commit.
create function sluice.import_notify_input() returns trigger
language plpgsql as $$
begin
  perform pg_notify('sluice_import_input', '');
  return null;
end $$;

create trigger import_input_notify after insert or update of status on sluice.import_input
  for each statement execute function sluice.import_notify_input();

create function sluice.import_notify_cancel() returns trigger
language plpgsql as $$
begin
  perform pg_notify('sluice_import_cancel', new.id);
  return null;
end $$;

create trigger import_job_cancel_notify after update of cancelled on sluice.import_job
  for each row when (old.cancelled is null and new.cancelled is not null)
  execute function sluice.import_notify_cancel();

-- A URL as statuses and messages may show it: the password of its userinfo and the value of
-- every query parameter (where pre-signed URLs carry their signatures) replaced by REDACTED,
-- the parameter names sorted, the fragment dropped; the proxy's redactURL does the same (a test
-- compares them). Text with control characters is not shown at all.
create function sluice.url_redacted(p_url text) returns text
language plpgsql immutable parallel safe as $$
declare
  -- scheme:, //authority, path, ?query, #fragment (RFC 3986, appendix B)
  v_parts     text[] := regexp_match(p_url, '^([^:/?#]+:)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#.*)?$');
  v_authority text := v_parts[3];
  v_query     text := v_parts[6];
  v_at        int;
begin
  if v_parts is null or p_url ~ '[\x01-\x1f\x7f]' then
    return '(an unreadable URL)';
  end if;
  -- The userinfo ends at the last '@' of the authority; its password follows the first ':'.
  v_at := length(v_authority) - strpos(reverse(v_authority), '@') + 1;
  if strpos(v_authority, '@') > 0 and strpos(left(v_authority, v_at - 1), ':') > 0 then
    v_authority := split_part(v_authority, ':', 1) || ':REDACTED' || substr(v_authority, v_at);
  end if;
  if v_query <> '' then
    if v_query ~ ';' or v_query ~ '%(?![0-9A-Fa-f]{2})' then
      v_query := 'REDACTED'; -- what Go's query parser refuses
    else
      select string_agg(n, '&' order by n collate "C") into v_query
      from (select distinct split_part(p, '=', 1) || '=REDACTED' as n
            from regexp_split_to_table(v_query, '&') as p where p <> '') as names;
    end if;
  end if;
  return coalesce(v_parts[1], '') || coalesce('//' || v_authority, '') || v_parts[4]
         || coalesce('?' || v_query, '');
end $$;

-- How far the load of an $import input has got: the lines its worker staged, and the backend
-- loading it. The worker writes it from outside the loading transaction, whose own writes
-- nobody sees before it ends (sluice.import_progress). Unlogged: progress is worth nothing
-- after a crash, and a row counts only while its backend still loads the input.
create unlogged table sluice.import_progress (
  key   bigint primary key,
  pid   int not null,
  lines bigint not null
);

-- Records that backend p_pid, loading input p_key, has staged p_lines lines. The rows of inputs
-- that have ended go on the way, so the table holds about one row per running input.
create function sluice.import_progress(p_key bigint, p_pid int, p_lines bigint) returns void
language sql volatile
begin atomic
  delete from sluice.import_progress p using sluice.import_input i
    where i.key = p.key and i.status <> 'waiting';
  insert into sluice.import_progress (key, pid, lines) values (p_key, p_pid, p_lines)
    on conflict (key) do update set pid = excluded.pid, lines = excluded.lines;
end;

-- The backends loading $import inputs, and the lines each has staged (null while it is still
-- staging them). A worker holds a transaction-level advisory lock on the input's key (the
-- one-bigint form, sluice.import_claim) for the transaction that loads it, which no crash can
-- leave stale, and pg_locks names its backend; that, sluice.import_progress and
-- pg_stat_progress_copy give the running count. Only sessions of sluice's own role count:
-- another role could take any advisory lock.
create function sluice.import_backends() returns table (pid int, key bigint, lines bigint)
language sql stable as $$
  select l.pid, i.key, p.lines
  from pg_catalog.pg_locks l
  join pg_catalog.pg_stat_activity a on a.pid = l.pid
  join sluice.import_input i on i.key = (l.classid::bigint << 32) | l.objid::bigint
  left join sluice.import_progress p on p.key = i.key and p.pid = l.pid
  where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
    and l.database = (select oid from pg_catalog.pg_database where datname = current_database())
    and a.usename = current_user
$$;

-- The running count of an input being loaded, or null when no backend loads it.
create function sluice.import_running(p_key bigint) returns bigint
language sql stable as $$
  select coalesce(b.lines, p.tuples_processed, 0)
  from sluice.import_backends() b
  left join pg_catalog.pg_stat_progress_copy p on p.pid = b.pid
  where b.key = p_key
  limit 1
$$;

-- The job p_id as p_client sees it: SL404 when there is none, or when it belongs to another
-- client (so a client cannot even learn that another client's job exists).
create function sluice.import_job_of(p_id text, p_client text) returns sluice.import_job
language plpgsql stable as $$
declare
  v_job sluice.import_job;
begin
  select * into v_job from sluice.import_job where id = p_id;
  if v_job.id is null or p_client is not null and v_job.client_id is distinct from p_client then
    raise exception using errcode = 'SL404', message = format('BulkImportStatus/%s not found', p_id);
  end if;
  return v_job;
end $$;

-- The body of job p_job's BulkImportStatus (docs/api.md) from the job tables. With p_running,
-- as it is read: an input a backend is loading is in-progress with its running count. Without,
-- as it is stored (sluice.import_record, 000012): such an input is still waiting there, since
-- what is stored changes only when the job tables do.
create function sluice.import_status_body(p_job sluice.import_job, p_running boolean) returns jsonb
language plpgsql stable as $$
declare
  v_job    sluice.import_job := p_job;
  p_id     text := p_job.id;
  v_inputs jsonb;
  v_status text;
  v_end    timestamptz;
begin
  select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'resourceType', i.resource_type,
           'url', sluice.url_redacted(i.url),
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
        from (select x.*, case when p_running and x.status = 'waiting' then sluice.import_running(x.key) end as running
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

-- A job as its BulkImportStatus resource, for p_client (null: the operator); SL404 when there
-- is none or it is another client's. The stored resource's meta (versionId, lastUpdated,
-- createdAt: the job tables' last change) and the running counts of the inputs being loaded.
create function sluice.import_status(p_id text, p_client text) returns jsonb
language sql stable as $$
  select sluice.import_status_body(j, true)
         || coalesce((select jsonb_build_object('meta', sluice.resource_full(s.resource_type, s.id, s.txid, s.cts, s.ts, s.resource) -> 'meta')
                      from public.bulkimportstatus s where s.id = j.id), '{}')
  from sluice.import_job_of(p_id, p_client) as j
$$;

-- Creates a job of p_client (null: the operator) from a $import body ({id, contentEncoding,
-- inputs: [{resourceType, url}], update, inputFormat, mode}) and returns its status. A missing
-- id is generated; an id in use is SL409; a body the workers could not run is SL422; an input
-- of a type that grants or configures access is SL403 unless the operator asks.
create function sluice.import_create(p_type text, p_request jsonb, p_client text) returns jsonb
language plpgsql volatile as $$
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
  insert into sluice.import_job (id, type, content_encoding, update, request, client_id)
  values (v_id, p_type, p_request ->> 'contentEncoding', coalesce((p_request ->> 'update')::boolean, false),
          p_request, p_client)
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
    if sluice.resource_type_of(v_input ->> 'resourceType') is null then
      raise exception using errcode = 'SL422',
        message = format('inputs[%s]: unknown resourceType %s', v_index, v_input ->> 'resourceType');
    end if;
    if sluice.guards_access(v_input ->> 'resourceType') and p_client is not null then
      raise exception using errcode = 'SL403', message = format(
        'inputs[%s]: %s resources grant or configure access; only the operator may load them',
        v_index, v_input ->> 'resourceType');
    end if;
    insert into sluice.import_input (job_id, position, resource_type, url)
    values (v_id, v_index, v_input ->> 'resourceType', v_input ->> 'url');
    v_index := v_index + 1;
  end loop;
  return sluice.import_status(v_id, p_client);
end $$;

-- Cancels p_client's job (null: the operator, any job): its waiting inputs become cancelled; a
-- running one is rolled back by its worker, which sees the job cancelled (it checks the job,
-- FOR SHARE, before it commits, so this waits for a worker that is committing). SL404 when
-- there is no such job or it is another client's; SL409 when it has already ended.
create function sluice.import_cancel(p_id text, p_client text) returns jsonb
language plpgsql volatile as $$
declare
  v_status jsonb := sluice.import_status(p_id, p_client);
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
  return sluice.import_status(p_id, p_client);
end $$;

-- The advisory lock of running slot p_slot of client p_client (sluice.import_claim), in the
-- two-int form, apart from the one-bigint locks that mark the inputs being loaded
-- (sluice.import_backends). Two clients whose names hash alike would share their slots: with
-- a 32-bit hash that is about one chance in a million among a hundred clients, and it only
-- makes the limit shared, never lifts it.
create function sluice.import_slot_lock(p_client text, p_slot int) returns boolean
language sql volatile
return pg_try_advisory_xact_lock(hashtext('sluice-import-slot:' || p_client), p_slot);

-- Claims a waiting input for the caller's transaction, which loads it, takes the advisory
-- lock on its key (sluice.import_backends) and returns the input's key; null when there
-- is none to claim. Fair across clients: it takes the oldest waiting input of the client with
-- the fewest inputs running, and a Client runs at most p_per_client inputs at once (null: no
-- limit; the operator has none), so one client's slow inputs cannot hold every worker. That
-- limit is held as one of p_per_client transaction-level advisory locks per client, so, like
-- the row lock of the input, it goes with the transaction however that ends.
create function sluice.import_claim(p_per_client int) returns bigint
language plpgsql volatile as $$
declare
  v_client record;
  v_key    bigint;
begin
  <<clients>>
  for v_client in
    with waiting as (
      select j.client_id, min(i.key) as oldest
      from sluice.import_input i join sluice.import_job j on j.id = i.job_id
      where i.status = 'waiting' and j.cancelled is null
      group by j.client_id),
    running as (
      select j.client_id, count(*) as inputs
      from sluice.import_backends() b
      join sluice.import_input i on i.key = b.key
      join sluice.import_job j on j.id = i.job_id
      group by j.client_id)
    select w.client_id
    from waiting w left join running r on r.client_id is not distinct from w.client_id
    order by coalesce(r.inputs, 0), w.oldest
  loop
    for v_slot in 0 .. case when v_client.client_id is null or p_per_client is null then 0
                            else p_per_client - 1 end loop
      begin
        continue when v_client.client_id is not null and p_per_client is not null
                      and not sluice.import_slot_lock(v_client.client_id, v_slot);
        select i.key into v_key
        from sluice.import_input i join sluice.import_job j on j.id = i.job_id
        where i.status = 'waiting' and j.cancelled is null
          and j.client_id is not distinct from v_client.client_id
        order by i.key
        limit 1
        for update of i skip locked;
        if v_key is null then
          -- Its waiting inputs are all being claimed by others: give the slot back (the
          -- subtransaction's rollback releases its lock) and try the next client.
          raise exception using errcode = 'P0002';
        end if;
      exception when no_data_found then
        continue clients;
      end;
      exit clients;
    end loop;
  end loop;
  if v_key is not null then
    perform pg_advisory_xact_lock(v_key);
  end if;
  return v_key;
end $$;
