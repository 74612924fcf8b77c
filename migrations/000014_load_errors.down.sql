-- Back to 000007's load functions (their text as there), without the bad-line columns and tables.
drop function sluice.import_errors(text, text, int, bigint, int);
drop table sluice.import_error;
drop function sluice.load_problems(int, bigint);
drop function sluice.load_merge(text[], boolean, boolean, boolean, jsonb, boolean, boolean);
drop function sluice.load_convert(text, text, jsonb, jsonb, boolean);
drop function sluice.load_mark_lines(text);
drop function sluice.load_check_lines(text);
drop function sluice.load_convert_problem(text, jsonb, jsonb, text, text);
drop function sluice.load_line_problem(text, text);
drop function sluice.load_stage();

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


create or replace function sluice.import_status_body(p_job sluice.import_job, p_running boolean) returns jsonb
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
