-- Loads that report bad lines instead of failing whole ($load and $import with
-- "on-error": "skip", docs/import.md). The default ("fail") stays atomic and as fast as before:
-- the per-line checks below run only when a cast of the whole load failed.
--
-- A bad line is a staged row with a problem: the stager stages the lines it refuses itself
-- (not JSON, no id, a wrong resourceType, not UTF-8) with no resource_type and the reason in
-- problem, and the checks here turn a line whose cast fails into one the same way. Every
-- function reading the staging table reads only rows with a resource_type, so such a row is
-- never written. sluice.load_problems hands them to the caller and drops them.

-- The staging table as in 000007, with problem: why the line is not loaded (null: it is).
create or replace function sluice.load_stage() returns text
language plpgsql volatile as $$
declare
  v_table text := sluice.load_table();
begin
  execute format('drop table if exists %s', v_table);
  execute format('drop table if exists %s', sluice.load_table(':problems'));
  execute format($ddl$
    create unlogged table %1$s (
      line_no       bigint not null,
      resource_type text,
      id            text,
      cts           text,
      resource      text,
      line          text,
      problem       text
    );
    alter table %1$s alter column resource set statistics 0, alter column line set statistics 0;
    alter table %1$s alter column resource set storage external, alter column line set storage external$ddl$,
    v_table);
  return v_table;
end $$;

-- Why a staged Aidbox row cannot be loaded: its body is not JSON or its meta.createdAt is not
-- a date-time; null when it can. The one rule of both modes (sluice.load_check_lines raises
-- the first, sluice.load_mark_lines records them all).
create function sluice.load_line_problem(p_resource text, p_cts text) returns text
language plpgsql stable as $$
declare
  v_detail text;
begin
  begin
    perform p_resource::jsonb;
  exception when others then
    get stacked diagnostics v_detail = pg_exception_detail;
    return format('not JSON: %s%s', sqlerrm, ' (' || nullif(v_detail, '') || ')');
  end;
  begin
    perform p_cts::timestamptz;
  exception when others then
    get stacked diagnostics v_detail = pg_exception_detail;
    return format('meta.createdAt is not a date-time: %s%s', sqlerrm, ' (' || nullif(v_detail, '') || ')');
  end;
  return null;
end $$;

-- Why a staged FHIR line cannot be converted (p_expr, p_attributes and p_merge as in
-- sluice.load_convert): not JSON, or the conversion refuses it; null when it can.
create function sluice.load_convert_problem(p_expr text, p_attributes jsonb, p_merge jsonb,
                                            p_type text, p_line text) returns text
language plpgsql stable as $$
declare
  v_detail text;
begin
  begin
    perform p_line::jsonb;
  exception when others then
    get stacked diagnostics v_detail = pg_exception_detail;
    return format('not JSON: %s%s', sqlerrm, ' (' || nullif(v_detail, '') || ')');
  end;
  begin
    execute format('select %s from (select $3 as resource_type, $4::text as line) s', p_expr)
      using p_attributes, p_merge, p_type, p_line;
  exception when others then
    return sqlerrm;
  end;
  return null;
end $$;

create or replace function sluice.load_check_lines(p_stage text) returns void
language plpgsql volatile as $$
declare
  v_row record;
begin
  for v_row in execute format(
      'select line_no, resource, cts from %s where resource_type is not null order by line_no', p_stage) loop
    begin
      perform v_row.resource::jsonb, v_row.cts::timestamptz;
    exception when others then
      raise exception using errcode = 'SL422',
        message = format('line %s: %s', v_row.line_no, sluice.load_line_problem(v_row.resource, v_row.cts));
    end;
  end loop;
end $$;

-- Skip mode: turns every staged Aidbox row that sluice.load_line_problem refuses into a bad line.
create function sluice.load_mark_lines(p_stage text) returns void
language plpgsql volatile as $$
begin
  execute format($sql$
    update %1$s s set problem = b.problem, resource_type = null
    from (select line_no, sluice.load_line_problem(resource, cts) as problem
          from %1$s where resource_type is not null) b
    where b.problem is not null and s.line_no = b.line_no$sql$, p_stage);
end $$;

drop function sluice.load_convert(text, text, jsonb, jsonb);

-- As in 000007, and with p_skip the lines the conversion refuses become bad lines (only after
-- the parallel conversion of the whole load failed), and the rest is converted.
create function sluice.load_convert(p_stage text, p_expr text, p_merge jsonb, p_attributes jsonb,
                                    p_skip boolean default false)
returns text
language plpgsql volatile as $$
declare
  v_table   text := sluice.load_table(':aidbox');
  v_row     record;
  v_problem text;
  v_create  text;
begin
  perform sluice.bulk_parallel(),
          set_config('default_toast_compression', sluice.body_compression(), true);
  execute format('drop table if exists %s', v_table);
  v_create := format($sql$
      create unlogged table %s as
      select s.line_no, s.resource_type, s.id, s.cts, %s as resource
      from %s s
      where s.resource_type is not null$sql$, v_table, p_expr, p_stage);
  begin
    execute v_create using p_attributes, p_merge;
  exception when others then
    for v_row in execute format(
        'select s.line_no, s.resource_type, s.line from %s s where s.resource_type is not null order by s.line_no',
        p_stage) loop
      v_problem := sluice.load_convert_problem(p_expr, p_attributes, p_merge, v_row.resource_type, v_row.line);
      continue when v_problem is null;
      if not p_skip then
        raise exception using errcode = 'SL422', message = format('line %s: %s', v_row.line_no, v_problem);
      end if;
      execute format('update %s set problem = $1, resource_type = null where line_no = $2', p_stage)
        using v_problem, v_row.line_no;
    end loop;
    if not p_skip then
      raise;
    end if;
    execute v_create using p_attributes, p_merge;
  end;
  return v_table;
end $$;

drop function sluice.load_merge(text[], boolean, boolean, boolean, jsonb, boolean);

-- As in 000007, and with p_skip a line of an unknown type, or whose body or meta.createdAt does not cast (or that
-- the FHIR conversion refuses) becomes a bad line instead of failing the load: found only
-- after a cast of the whole type failed, then the type is merged again without it. Rows the
-- stager refused are never read (no resource_type). The bad lines stay in
-- sluice."load:<pid>:problems" (line_no, problem) for sluice.load_problems.
create function sluice.load_merge(p_types text[], p_fhir boolean, p_update boolean,
                                  p_strip_nulls boolean, p_merge jsonb, p_operator boolean,
                                  p_skip boolean default false)
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
  v_try     int;
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
    if sluice.resource_type_of(v_type) is null and p_skip then
      execute format('update %s set problem = $2, resource_type = null where resource_type = $1', v_stage)
        using v_type, format('unknown resourceType %s', v_type);
      p_types := array_remove(p_types, v_type);
      continue;
    end if;
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
                lateral fhir.attributes(t) as a where a is not null), p_skip);
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
    v_try := 0;
    loop
      v_try := v_try + 1;
      begin
        begin
          v_count := sluice.load_merge_type(v_source, v_type, v_expr, p_merge, v_txid, p_update, v_plain);
        exception
          when cardinality_violation or unique_violation then
            execute format($sql$
              delete from %1$s s
              using (select id, max(line_no) as last_line from %1$s
                     where resource_type = $1 group by id having count(*) > 1) d
              where s.resource_type = $1 and s.id = d.id and s.line_no < d.last_line$sql$, v_source)
              using v_type;
            v_count := sluice.load_merge_type(v_source, v_type, v_expr, p_merge, v_txid, p_update, false);
        end;
        exit;
      exception when data_exception or program_limit_exceeded then
        -- A body that is not JSON (or nested deeper than the parser's stack allows), a createdAt
        -- that is not a date-time: name its line, or with p_skip set it aside and merge again
        -- (once: the checks found every such line).
        if not p_skip or v_try > 1 then
          perform sluice.load_check_lines(v_stage);
          raise;
        end if;
        if v_source = v_stage then
          perform sluice.load_mark_lines(v_stage);
        else
          -- FHIR: the converted copy carries cts; its bad lines are marked in the stage.
          execute format($sql$
            update %1$s s set problem = b.problem, resource_type = null
            from (select line_no, sluice.load_line_problem(resource::text, cts) as problem
                  from %2$s where resource_type is not null) b
            where b.problem is not null and s.line_no = b.line_no$sql$, v_stage, v_source);
          execute format('delete from %1$s c using %2$s s where s.line_no = c.line_no and s.problem is not null',
                         v_source, v_stage);
        end if;
      end;
    end loop;
    resource_type := v_type;
    written := v_count;
    return next;
  end loop;
  if p_skip then
    execute format('create unlogged table %s as select line_no, problem from %s where problem is not null',
                   sluice.load_table(':problems'), v_stage);
  end if;
  execute format('drop table %s', v_stage);
  if v_source <> v_stage then
    execute format('drop table %s', v_source);
  end if;
end $$;

-- The bad lines of this backend's last skip-mode load (sluice.load_merge): their total and the
-- first p_limit as {"total": n, "problems": [{"line": n, "problem": text}, ...]}, in line order.
-- With p_input (an $import input's key) all of them are kept in sluice.import_error. Drops them.
create function sluice.load_problems(p_limit int, p_input bigint) returns jsonb
language plpgsql volatile as $$
declare
  v_table  text := sluice.load_table(':problems');
  v_result jsonb;
begin
  if to_regclass(v_table) is null then
    return jsonb_build_object('total', 0, 'problems', '[]'::jsonb);
  end if;
  if p_input is not null then
    execute format('insert into sluice.import_error (input_key, line_no, problem)
                    select $1, line_no, problem from %s', v_table) using p_input;
  end if;
  execute format($sql$
    select jsonb_build_object(
      'total', (select count(*) from %1$s),
      'problems', coalesce((select jsonb_agg(jsonb_build_object('line', line_no, 'problem', problem) order by line_no)
                            from (select * from %1$s order by line_no limit $1) p), '[]'))$sql$, v_table)
    into v_result using p_limit;
  execute format('drop table %s', v_table);
  return v_result;
end $$;

-- Every bad line of each $import input loaded with "on-error": "skip".
create table sluice.import_error (
  input_key bigint not null references sluice.import_input (key) on delete cascade,
  line_no   bigint not null,
  problem   text not null,
  primary key (input_key, line_no)
);

-- The status body as in 000007, and for a job with "on-error": "skip" each finished input's count of
-- bad lines (errors) and where to read them as NDJSON (errorsUrl, sluice.import_errors).
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
           'error', i.error,
           'errors', i.errors,
           'errorsUrl', case when i.errors is not null then format('/$import-errors/%s/%s', p_id, i.position) end
         )) order by i.position),
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
        from (select x.*, case when p_running and x.status = 'waiting' then sluice.import_running(x.key) end as running,
                     case when x.status = 'finished' and v_job.request ->> 'on-error' = 'skip' then
                       (select count(*) from sluice.import_error e where e.input_key = x.key) end as errors
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

-- The bad lines of input p_position of job p_id as p_client sees it (SL404 as
-- sluice.import_job_of), after line p_after, at most p_limit, in line order.
create function sluice.import_errors(p_id text, p_client text, p_position int, p_after bigint, p_limit int)
returns table (line_no bigint, problem text)
language plpgsql stable as $$
declare
  v_job sluice.import_job := sluice.import_job_of(p_id, p_client);
  v_key bigint;
begin
  select i.key into v_key from sluice.import_input i where i.job_id = v_job.id and i.position = p_position;
  if v_key is null then
    raise exception using errcode = 'SL404', message = format('BulkImportStatus/%s has no input %s', p_id, p_position);
  end if;
  return query select e.line_no, e.problem from sluice.import_error e
    where e.input_key = v_key and e.line_no > p_after order by e.line_no limit p_limit;
end $$;
