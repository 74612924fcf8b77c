-- FHIR R4 <-> Aidbox format conversion (docs/formats.md), the functions psql users and the
-- /fhir endpoints call:
--
--   fhir.to_fhir(resource jsonb)     a whole Aidbox-format resource -> FHIR JSON
--   fhir.from_fhir(resource jsonb)   FHIR JSON -> Aidbox format
--   fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource)
--                                    a stored row -> FHIR JSON text, in one pass:
--                                    select fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource) from patient;
--
-- Both ways, the functions write JSON text (see the generator's header below for why);
-- fhir.to_fhir and fhir.from_fhir cast it to jsonb. Loads store fhir.body_from_fhir.
--
-- Which keys are references, choice types and contained resources comes from the per-type
-- functions (schema fhir_meta) that fhir_meta.compile(), first in this file, makes from the
-- metadata rows of 000004; the rest of the file holds the rules for one reference, one choice
-- value and meta, first-class extensions (Attribute rows), and the public entry points.
--
-- Decisions (ours):
-- * Literal references are exactly `Type/id` (Type starts with an upper-case letter, id has no
--   `/`, `?` or `#`). A versioned reference `Patient/1/_history/2` is NOT split: it stays
--   {"reference": "Patient/1/_history/2"} in Aidbox format, like a conditional reference
--   (`Patient?identifier=...`) and any other relative URL, so nothing is lost and it
--   round-trips; only the plain `Type/id` form becomes {"resourceType", "id"}.
-- * Absolute references are those with a URI scheme (`http:`, `https:`, `urn:`, ...): {"uri"}.
-- * A Reference that already mixes the forms (e.g. FHIR {"reference", "id"} where id is the
--   element id, or Aidbox {"reference", "resourceType"}) is left as it is in both directions.
-- * Extensions other than first-class ones are left exactly as they are, value[x] included.
-- * First-class extensions (Attribute rows with an extensionUrl) apply to the top-level
--   resource; their extensions come after the resource's other extensions in FHIR format.
-- * The createdAt extension URL is the setting sluice.created_at_url (default ex:createdAt).
--
-- Errors: SQLSTATE SL422 (the proxy answers 422 with an OperationOutcome).

-- The conversion functions, compiled from the rows of fhir_meta.owner and fhir_meta.element
-- (000004) by fhir_meta.compile() below: one pair per resource type, data type and backbone
-- element that holds something to convert, fhir_meta."to:<path>" (to FHIR) and
-- fhir_meta."from:<path>" (from FHIR), their array forms "to[]:<path>" / "from[]:<path>", and
-- the dispatchers by type (fhir_meta.resource_to_fhir, nested_to_fhir, type_to_fhir and their
-- from_fhir twins). Straight-line code per type avoids the per-key loop of a generic walker,
-- which costs several times more (docs/performance.md). The helpers they call
-- (fhir.ref_to_fhir, fhir.choice_to_fhir, ...) and the public functions follow in this file.
--
-- To FHIR, the functions write the FHIR JSON text: one member expression per element of the
-- definition, '"key": ' || the converted value, or the stored value as text when there is
-- nothing to convert (a sub-document of a jsonb is copied, not rebuilt), and the keys the
-- definition does not know after them as they are. Any jsonb rebuild re-serialises every node
-- below it, and a dump has to write the text anyway: written this way, a resource costs little
-- more than printing it. From FHIR, the same way: a load parses the Aidbox-format text into the
-- stored jsonb once, where rebuilding the parsed FHIR line would cost several passes.
--
-- Changing the conversion after a release: the migrations are then frozen, so a change to the
-- generator ships as a new migration holding `create or replace function fhir_meta.compile()`
-- (and its helpers) followed by `select fhir_meta.compile();`, and a change of the definitions
-- ships as a new migration changing the rows of fhir_meta.owner / fhir_meta.element followed by
-- `select fhir_meta.compile();`. compile() replaces every function it makes in place (same
-- object, so what refers to it keeps working) and drops the generated functions it no longer
-- makes; run twice, it changes nothing.

-- The name of an owner's generated function (p_dir: to_fhir, from_fhir, to_fhir[] or
-- from_fhir[]), unquoted. PostgreSQL names hold 63 bytes: a few deep backbone paths lose
-- letters from their segments after the type, first to last, keeping the first three letters
-- of each camelCase word (MedicationKnowledge.administrationGuidelines.patientCharacteristics
-- becomes MedicationKnowledge.admGui.patientCharacteristics).
create function fhir_meta.function_name(p_dir text, p_path text) returns text
language plpgsql immutable strict as $$
declare
  v_prefix text := replace(p_dir, '_fhir', '') || ':';
  v_segs   text[] := string_to_array(p_path, '.');
  v_name   text := v_prefix || p_path;
begin
  for i in 2 .. coalesce(array_length(v_segs, 1), 0) loop
    exit when octet_length(v_name) <= 63;
    v_segs[i] := regexp_replace(v_segs[i], '(.[^A-Z]{0,2})[^A-Z]*', '\1', 'g');
    v_name := v_prefix || array_to_string(v_segs, '.');
  end loop;
  if octet_length(v_name) > 63 then
    raise exception 'identifier too long: %', v_name;
  end if;
  return v_name;
end $$;

-- The body of a dispatcher by type: a binary search over the sorted names p_names calling
-- p_calls (a flat case would compare up to 146 strings per call), indented for p_depth.
create function fhir_meta.compile_dispatch(p_names text[], p_calls text[], p_fallback text, p_depth int)
returns text
language plpgsql immutable strict as $$
declare
  v_ind text := repeat('  ', p_depth + 1);
  v_n   int := coalesce(array_length(p_names, 1), 0);
  v_mid int := v_n / 2;
  v_out text;
begin
  if v_n <= 6 then
    v_out := v_ind || E'case p_type\n';
    for i in 1 .. v_n loop
      v_out := v_out || format(E'%s  when %L then %s\n', v_ind, p_names[i], p_calls[i]);
    end loop;
    return v_out || format(E'%s  else %s\n%send', v_ind, p_fallback, v_ind);
  end if;
  return format(E'%scase when p_type < %L collate "C" then\n', v_ind, p_names[v_mid + 1])
    || fhir_meta.compile_dispatch(p_names[1:v_mid], p_calls[1:v_mid], p_fallback, p_depth + 1)
    || format(E'\n%selse\n', v_ind)
    || fhir_meta.compile_dispatch(p_names[v_mid + 1:], p_calls[v_mid + 1:], p_fallback, p_depth + 1)
    || format(E'\n%send', v_ind);
end $$;

-- A function converting an array of values with p_fn (inlined) item by item, for the items
-- that have one of p_keys to convert; a value that is not an array is written as it is.
-- PL/pgSQL: a subquery over jsonb_array_elements would be planned again on every call.
-- Returns the function made.
create function fhir_meta.compile_array(p_name text, p_fn text, p_keys text[]) returns oid
language plpgsql set check_function_bodies = off as $compile$
begin
  execute format($f$create or replace function fhir_meta.%I(p jsonb) returns text
language plpgsql stable strict parallel safe as $$
declare
  v_items text[] := '{}';
  v_item  jsonb;
begin
  if jsonb_typeof(p) is distinct from 'array' then
    return p::text;
  end if;
  for i in 0 .. jsonb_array_length(p) - 1 loop
    -- a variable: the element function, inlined, reads it at each use without copying it out
    -- of the array again
    v_item := p -> i;
    v_items := array_append(v_items, case when v_item ?| %L then %s(v_item) else v_item::text end);
  end loop;
  return '[' || array_to_string(v_items, ', ') || ']';
end $$$f$, p_name, '{' || array_to_string(p_keys, ',') || '}', p_fn);
  return format('fhir_meta.%I(jsonb)', p_name)::regprocedure::oid;
end $compile$;

-- Makes the conversion functions from the metadata rows (see above). Checking bodies at
-- creation is off: the functions refer to each other recursively (Identifier.assigner is a
-- Reference whose identifier is an Identifier) and to helpers created after them.
--
-- Which elements are converted: references, choices, resources, and complex elements whose
-- type (transitively) holds one of those; an owner has functions when it is a resource (meta
-- is always converted) or holds a converted element. Most functions are PL/pgSQL with one
-- simple expression each (PostgreSQL plans it once per session and then evaluates it directly;
-- nested SQL functions that cannot be inlined are planned again on every call of their caller).
-- The per-owner functions of data types and backbone elements are SQL, which PostgreSQL
-- inlines into their callers: a PL/pgSQL call costs more than converting a small element (p is
-- then the caller's `parent -> key`, extracted again at each use, which is cheap). They are not
-- strict, since a strict function whose body is a case is not inlined (null gives null all the
-- same), and have a string body, parsed at first use. Stable, not immutable: they build values
-- with functions PostgreSQL marks stable, and resources read the createdAt URL setting.
create function fhir_meta.compile() returns void
language plpgsql
set check_function_bodies = off
as $compile$
declare
  v_made  oid[] := '{}';
  v_owner record;
  v_el    record;
  v_t     text;
  v_key   text;
  v_v     text;
  v_val   text;
  v_whens text[];
  v_parts text[];
  v_vars  text[];
  v_to    text[];
  v_from  text[];
  v_keys  text[];
  v_fkeys text[];
  v_cnames text[];
  v_names text[];
  v_calls text[];
  v_dir   text;
  v_sql   text;
  v_fn    text;
  v_members text[];
  v_convert text[];
  v_clash text;
begin
  -- The converted elements: start from every element of a converting kind and drop complex
  -- ones whose type has nothing to convert, until nothing changes. An element whose type is
  -- its own owner (Questionnaire.item.item) counts as something to convert, so such a cycle
  -- stays unless its owner is removed.
  -- Fresh rows (the migration just inserted them) have no statistics: plan with some.
  analyze fhir_meta.owner;
  analyze fhir_meta.element;
  drop table if exists pg_temp.compile_element;
  create temp table compile_element on commit drop as
    select e.owner, e.position, e.name, e.kind, e.target, e.types, e.repeats
    from fhir_meta.element e where e.kind is not null;
  alter table pg_temp.compile_element add primary key (owner, position);
  analyze pg_temp.compile_element;
  loop
    delete from pg_temp.compile_element c
    where c.kind = 'complex' and not exists (
      select from fhir_meta.owner o
      where o.name = c.target
        and (o.kind = 'resource' or exists (select from pg_temp.compile_element d where d.owner = o.name)));
    exit when not found;
  end loop;

  drop table if exists pg_temp.compile_owner;
  create temp table compile_owner on commit drop as
    select o.name, o.kind = 'resource' as is_resource,
      (select array_agg(c.name order by c.position) from pg_temp.compile_element c where c.owner = o.name) as aidbox_keys,
      (select array_agg(v.k order by c.position, v.n) from pg_temp.compile_element c
         cross join lateral (
           select 0 as n, c.name as k where c.kind <> 'choice'
           union all
           select 2 * t.i + x.j, x.k
           from unnest(c.types) with ordinality as t(code, i)
             cross join lateral (values
               (0, c.name || upper(left(t.code, 1)) || substr(t.code, 2)),
               (1, '_' || c.name || upper(left(t.code, 1)) || substr(t.code, 2))) as x(j, k)
           where c.kind = 'choice' and (x.j = 0 or left(t.code, 1) between 'a' and 'z' collate "C")) v
         where c.owner = o.name) as fhir_keys,
      exists (select from pg_temp.compile_element c where c.kind = 'complex' and c.repeats and c.target = o.name) as arrays
    from fhir_meta.owner o
    where o.kind = 'resource' or exists (select from pg_temp.compile_element c where c.owner = o.name);
  update pg_temp.compile_owner set aidbox_keys = coalesce(aidbox_keys, '{}'), fhir_keys = coalesce(fhir_keys, '{}');
  alter table pg_temp.compile_owner add primary key (name);
  analyze pg_temp.compile_owner;

  -- Two owners whose function names came out alike would overwrite each other's functions.
  foreach v_dir in array array['to_fhir', 'from_fhir', 'to_fhir[]', 'from_fhir[]'] loop
    select string_agg(name, ', ') into v_clash
    from pg_temp.compile_owner
    group by fhir_meta.function_name(v_dir, name) having count(*) > 1 limit 1;
    if v_clash is not null then
      raise exception 'identifier clash: %', v_clash;
    end if;
  end loop;

  for v_owner in select * from pg_temp.compile_owner order by name collate "C" loop
    v_to := case when v_owner.is_resource then array['coalesce(p_head, fhir.resource_head(p))'] else '{}' end;
    v_from := case when v_owner.is_resource then array['p_head'] else '{}' end;
    v_keys := case when v_owner.is_resource then array['resourceType'] else '{}' end;
    v_fkeys := v_keys;
    v_cnames := '{}';
    for v_el in
      select e.name, e.kind as raw_kind, e.types as raw_types, e.primitive, c.kind, c.target, c.types, c.repeats
      from fhir_meta.element e left join pg_temp.compile_element c using (owner, position)
      where e.owner = v_owner.name order by e.position
    loop
      v_keys := v_keys || v_el.name;
      v_v := format('p -> %L', v_el.name);
      v_key := format('%L', '"' || v_el.name || '": ');
      -- to FHIR: the member of the key name
      if v_owner.is_resource and v_el.name in ('id', 'meta') then
        null;
      elsif v_el.kind is null then
        v_to := v_to || format('%s || (%s)::text', v_key, v_v);
      elsif v_el.kind in ('reference', 'resource') then
        v_to := v_to || format('%s || %s(%s)', v_key, case
          when v_el.kind = 'reference' and v_el.repeats then 'fhir_meta."to[]:Reference"'
          when v_el.kind = 'reference' then 'fhir.ref_to_fhir'
          when v_el.repeats then 'fhir_meta."to[]:Resource"'
          else 'fhir.resource_to_fhir' end, v_v);
      elsif v_el.kind = 'choice' then
        -- The usual value holds one type: recognise it inline (a call of the general
        -- fhir.choice_to_fhir costs more than the whole conversion of a small resource).
        v_whens := '{}';
        foreach v_t in array v_el.types loop
          if v_t = 'Reference' then
            v_val := format('fhir.ref_to_fhir(%s -> %L)', v_v, v_t);
          elsif exists (select from pg_temp.compile_owner o where o.name = v_t) then
            v_val := format('fhir_meta.%I(%s -> %L)', fhir_meta.function_name('to_fhir', v_t), v_v, v_t);
          else
            v_val := format('(%s -> %L)::text', v_v, v_t);
          end if;
          v_whens := v_whens || format('when %s ? %L and (%s) - %L = ''{}'' then %L || %s', v_v, v_t, v_v, v_t,
            '"' || v_el.name || upper(left(v_t, 1)) || substr(v_t, 2) || '": ', v_val);
        end loop;
        v_to := v_to || format(E'coalesce(case when jsonb_typeof(%s) = ''object'' then case\n        %s\n        else fhir.choice_to_fhir(%L, %s, %L) end end,\n      %s || (%s)::text)',
          v_v, array_to_string(v_whens, E'\n        '), v_el.name, v_v, '{' || array_to_string(v_el.types, ',') || '}', v_key, v_v);
      elsif not v_el.repeats then
        v_to := v_to || format('%s || fhir_meta.%I(%s)', v_key, fhir_meta.function_name('to_fhir', v_el.target), v_v);
      else
        -- An array is only converted item by item when some item has something to convert.
        v_to := v_to || format('%s || case when %s @? %L then fhir_meta.%I(%s) else (%s)::text end', v_key, v_v,
          (select '$ ? (' || string_agg(format('exists(@."%s")', k), ' || ') || ')'
           from pg_temp.compile_owner o, unnest(o.aidbox_keys) k where o.name = v_el.target),
          fhir_meta.function_name('to_fhir[]', v_el.target), v_v, v_v);
      end if;

      -- from FHIR: the members of the FHIR keys of the element
      if v_el.raw_kind = 'choice' then
        -- one member holding all the variants ("value": {"Quantity": ...})
        v_cnames := v_cnames || v_el.name;
        v_vars := '{}';
        v_parts := '{}';
        foreach v_t in array v_el.raw_types loop
          v_fn := v_el.name || upper(left(v_t, 1)) || substr(v_t, 2);
          v_vars := v_vars || v_fn;
          v_fkeys := v_fkeys || v_fn;
          if v_t = 'Reference' then
            v_val := format('fhir.ref_from_fhir(p -> %L)', v_fn);
          elsif exists (select from pg_temp.compile_owner o where o.name = v_t) then
            v_val := format('fhir_meta.%I(p -> %L)', fhir_meta.function_name('from_fhir', v_t), v_fn);
          else
            v_val := format('(p -> %L)::text', v_fn);
          end if;
          v_parts := v_parts || format('%L || %s', '"' || v_t || '": ', v_val);
          if left(v_t, 1) between 'a' and 'z' collate "C" then
            v_vars := v_vars || ('_' || v_fn);
            v_fkeys := v_fkeys || ('_' || v_fn);
            v_parts := v_parts || format('%L || (p -> %L)::text', '"_' || v_t || '": ', '_' || v_fn);
          end if;
        end loop;
        v_from := v_from || format(E'case when p ?| %L then %s || ''{'' || concat_ws('', '',\n        %s) || ''}'' end',
          '{' || array_to_string(v_vars, ',') || '}', v_key, array_to_string(v_parts, E',\n        '));
      else
        v_fkeys := v_fkeys || v_el.name;
        if v_owner.is_resource and v_el.name in ('id', 'meta') then
          null;
        elsif v_el.kind is null then
          v_from := v_from || format('%s || (%s)::text', v_key, v_v);
        elsif v_el.kind in ('reference', 'resource') then
          v_from := v_from || format('%s || %s(%s)', v_key, case
            when v_el.kind = 'reference' and v_el.repeats then 'fhir_meta."from[]:Reference"'
            when v_el.kind = 'reference' then 'fhir.ref_from_fhir'
            when v_el.repeats then 'fhir_meta."from[]:Resource"'
            else 'fhir.resource_from_fhir' end, v_v);
        elsif not v_el.repeats then
          v_from := v_from || format('%s || fhir_meta.%I(%s)', v_key, fhir_meta.function_name('from_fhir', v_el.target), v_v);
        else
          v_from := v_from || format('%s || case when %s @? %L then fhir_meta.%I(%s) else (%s)::text end', v_key, v_v,
            (select '$ ? (' || string_agg(format('exists(@."%s")', k), ' || ') || ')'
             from pg_temp.compile_owner o, unnest(o.fhir_keys) k where o.name = v_el.target),
            fhir_meta.function_name('from_fhir[]', v_el.target), v_v, v_v);
        end if;
      end if;

      -- the primitive's id and extensions, as they are
      if v_el.primitive then
        v_keys := v_keys || ('_' || v_el.name);
        v_fkeys := v_fkeys || ('_' || v_el.name);
        v_to := v_to || format('%L || (p -> %L)::text', '"_' || v_el.name || '": ', '_' || v_el.name);
        v_from := v_from || format('%L || (p -> %L)::text', '"_' || v_el.name || '": ', '_' || v_el.name);
      end if;
    end loop;

    -- Both functions of the owner, and their array forms when a repeating element has its type.
    foreach v_dir in array array['to_fhir', 'from_fhir'] loop
      if v_dir = 'to_fhir' then
        v_members := v_to || format('fhir.members(p - %L::text[])', '{' || array_to_string(v_keys, ',') || '}');
        v_convert := v_owner.aidbox_keys;
      else
        v_members := v_from || format('fhir.members(p - %L::text[])', '{' || array_to_string(v_fkeys || v_cnames, ',') || '}');
        v_convert := v_owner.fhir_keys;
      end if;
      v_fn := fhir_meta.function_name(v_dir, v_owner.name);
      v_sql := E'''{'' || concat_ws('', '',\n      ' || array_to_string(v_members, E',\n      ') || E') || ''}''';
      if v_owner.is_resource then
        -- Resources also take p_head: the members resourceType, id and meta as the caller wants
        -- them, or null. A stored body over ~2 kB is compressed; `|| '{}'` hands back the
        -- decompressed value, so the many `p -> key` do not each decompress it again.
        execute format(E'create or replace function fhir_meta.%I(p jsonb, p_head text) returns text\nlanguage plpgsql stable parallel safe as $$\nbegin\n  p := p || ''{}'';\n  return %s;\nend $$',
          v_fn, v_sql);
        v_made := v_made || format('fhir_meta.%I(jsonb, text)', v_fn)::regprocedure::oid;
      else
        execute format(E'create or replace function fhir_meta.%I(p jsonb) returns text\nlanguage sql stable parallel safe as $$\nselect case when jsonb_typeof(p) is distinct from ''object'' or not p ?| %L then p::text\n  else %s end\n$$',
          v_fn, '{' || array_to_string(v_convert, ',') || '}', v_sql);
        v_made := v_made || format('fhir_meta.%I(jsonb)', v_fn)::regprocedure::oid;
      end if;
      if v_owner.arrays then
        v_made := v_made || fhir_meta.compile_array(fhir_meta.function_name(v_dir || '[]', v_owner.name),
          format('fhir_meta.%I', v_fn), v_convert);
      end if;
    end loop;
  end loop;

  -- Arrays of references and of resources, converted by the hand-written functions below.
  v_made := v_made || fhir_meta.compile_array('to[]:Reference', 'fhir.ref_to_fhir', '{resourceType,id,uri,localRef,identifier}');
  v_made := v_made || fhir_meta.compile_array('from[]:Reference', 'fhir.ref_from_fhir', '{reference,identifier}');
  v_made := v_made || fhir_meta.compile_array('to[]:Resource', 'fhir.resource_to_fhir', '{resourceType}');
  v_made := v_made || fhir_meta.compile_array('from[]:Resource', 'fhir.resource_from_fhir', '{resourceType}');

  -- Two copies of each dispatcher: one for the top-level resource, one for the resources nested
  -- in it (contained, Bundle.entry.resource). PL/pgSQL evaluates a function's expression the
  -- fast way only when it is not already in use: a contained resource converted through the
  -- dispatcher that is converting its container would take the slow path (a new executor for
  -- the whole case tree: about 100 us per contained resource of an ExplanationOfBenefit).
  -- Resource types without definitions: meta only.
  select array_agg(name order by name collate "C") into v_names from pg_temp.compile_owner where is_resource;
  for v_owner in select * from (values
    ('resource_to_fhir', 'to_fhir', 'p_type text, p jsonb, p_head text', 'p_head', 'coalesce(p_head, fhir.resource_head(p))'),
    ('nested_to_fhir', 'to_fhir', 'p_type text, p jsonb', 'null', 'coalesce(null, fhir.resource_head(p))'),
    ('resource_from_fhir', 'from_fhir', 'p_type text, p jsonb, p_head text', 'p_head', 'p_head'),
    ('nested_from_fhir', 'from_fhir', 'p_type text, p jsonb', 'fhir.resource_head_from_fhir(p)', 'fhir.resource_head_from_fhir(p)')
  ) as d(name, dir, args, head, fallback_head) loop
    select array_agg(format('fhir_meta.%I(p, %s)', fhir_meta.function_name(v_owner.dir, n), v_owner.head) order by ord)
    into v_calls from unnest(v_names) with ordinality as u(n, ord);
    execute format(E'create or replace function fhir_meta.%I(%s) returns text\nlanguage plpgsql stable parallel safe as $$\nbegin\n  return\n%s;\nend $$',
      v_owner.name, v_owner.args, fhir_meta.compile_dispatch(coalesce(v_names, '{}'), coalesce(v_calls, '{}'),
        format('''{'' || concat_ws('', '', %s, fhir.members(p - ''{resourceType,id,meta}''::text[])) || ''}''', v_owner.fallback_head), 1));
    v_made := v_made || format('fhir_meta.%I(%s)', v_owner.name,
      regexp_replace(v_owner.args, '\w+ (\w+)', '\1', 'g'))::regprocedure::oid;
  end loop;

  -- A value of data type p_type (a choice type's value): references and the data types that
  -- hold something to convert; anything else is written as it is.
  foreach v_dir in array array['to_fhir', 'from_fhir'] loop
    select string_agg(format(E'    when %L then fhir_meta.%I(p)\n', name, fhir_meta.function_name(v_dir, name)), '' order by name collate "C")
    into v_sql from pg_temp.compile_owner where not is_resource and strpos(name, '.') = 0;
    execute format(E'create or replace function fhir_meta.%I(p_type text, p jsonb) returns text\nlanguage plpgsql stable strict parallel safe as $$\nbegin\n  return case p_type\n    when ''Reference'' then fhir.%I(p)\n%s    else p::text end;\nend $$',
      'type_' || v_dir, 'ref_' || v_dir, coalesce(v_sql, ''));
    v_made := v_made || format('fhir_meta.%I(text, jsonb)', 'type_' || v_dir)::regprocedure::oid;
  end loop;

  -- The generated functions no longer made (their owner or element rows are gone).
  for v_fn in
    select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace = 'fhir_meta'::regnamespace and p.oid <> all (v_made)
      and (p.proname ~ '^(to|from)(\[\])?:' or p.proname in
        ('resource_to_fhir', 'nested_to_fhir', 'resource_from_fhir', 'nested_from_fhir', 'type_to_fhir', 'type_from_fhir'))
  loop
    execute 'drop function ' || v_fn;
  end loop;
end $compile$;

select fhir_meta.compile();

create schema fhir;

-- An index for the per-type Attribute lookup the conversion makes on every call.
create index attribute_entity_idx on public.attribute ((resource #>> '{resource,id}'));

-- {key: value}, or {} when value is null: lets the meta conversions merge "the pairs that
-- changed" with `||` (which returns the other side as is when one side is empty) and no null
-- keys. Written with jsonb_set_lax so that p_value appears once: PostgreSQL inlines a SQL
-- function whose parameter is used twice only when the argument is cheap.
create function fhir.pair(p_key text, p_value jsonb) returns jsonb
language sql immutable parallel safe
return jsonb_set_lax('{}', array[p_key], p_value, true, 'delete_key');

-- Volatility: PostgreSQL marks jsonb_build_object and to_jsonb stable, and inlines a SQL
-- function into its caller only when it is marked no stricter than its body; so the functions
-- here that build jsonb are stable (inlining them is what makes the conversion fast).

-- Raises SL422 for a value that is not a resource; returns jsonb so it can sit in a case.
-- Stable, not immutable, so the planner never folds a call with constant arguments.
create function fhir.invalid_resource(p_function text, p_resource jsonb) returns jsonb
language plpgsql stable parallel safe as $$
begin
  if p_resource is null or jsonb_typeof(p_resource) <> 'object' then
    raise exception using errcode = 'SL422',
      message = format('%s: a resource must be a JSON object, got %s', p_function,
                       coalesce(jsonb_typeof(p_resource), 'nothing')),
      hint = 'pass one resource such as {"resourceType": "Patient", "id": "pt-1"}';
  end if;
  if not p_resource ? 'resourceType' then
    raise exception using errcode = 'SL422',
      message = format('%s: the resource has no resourceType', p_function),
      hint = 'every resource needs "resourceType", e.g. "Patient"';
  end if;
  raise exception using errcode = 'SL422',
    message = format('%s: resourceType must be a string, got %s %s', p_function,
                     jsonb_typeof(p_resource -> 'resourceType'), p_resource -> 'resourceType');
end $$;

-- The url of the meta extension that carries meta.createdAt in FHIR format (docs/formats.md: it is
-- configurable). Reading a setting makes everything that converts meta stable.
create function fhir.created_at_url() returns text
language sql stable parallel safe
return coalesce(nullif(current_setting('sluice.created_at_url', true), ''), 'ex:createdAt');

-- ---------------------------------------------------------------------------------------------
-- References

-- The text between an object's outer braces (PL/pgSQL: an SQL body would print it twice).
create function fhir.object_members(p_object text) returns text
language plpgsql immutable strict parallel safe as $$
begin
  return substr(p_object, 2, length(p_object) - 2);
end $$;

-- The members of a JSON object's text, without its braces, to write into another object; null
-- for {}. The keys a generated function does not know are written this way.
create function fhir.members(p jsonb) returns text
language sql immutable parallel safe
return case when p <> '{}' then fhir.object_members(p::text) end;

-- A Reference as FHIR JSON text: "reference" (a JSON string, or null for none), then the
-- converted identifier and the rest of the Aidbox reference as they are.
create function fhir.reference_to_fhir(p_reference text, p_rest jsonb) returns text
language sql stable parallel safe
return '{' || concat_ws(', ',
  '"reference": ' || p_reference,
  '"identifier": ' || fhir_meta."to:Identifier"(p_rest -> 'identifier'),
  fhir.members(p_rest - 'identifier')) || '}';

-- Aidbox -> FHIR for one Reference value, as JSON text: {resourceType, id} -> "Type/id", {uri}
-- -> the URL, {localRef} -> "#id"; anything else (a conditional or versioned reference kept as
-- {"reference"}, a display-only reference) is written as it is. Reference.identifier may hold a
-- reference of its own (Identifier.assigner). The general case; see fhir.ref_to_fhir.
create function fhir.other_ref_to_fhir(p jsonb) returns text
language plpgsql stable strict parallel safe as $$
begin
  return case
    when jsonb_typeof(p) is distinct from 'object' or p ? 'reference' then p::text
    when jsonb_typeof(p -> 'resourceType') = 'string' and jsonb_typeof(p -> 'id') = 'string'
      and not p ?| '{uri,localRef}' then
      fhir.reference_to_fhir(to_json((p ->> 'resourceType') || '/' || (p ->> 'id'))::text,
                             p - '{resourceType,id}'::text[])
    when jsonb_typeof(p -> 'uri') = 'string' and not p ?| '{resourceType,id,localRef}' then
      fhir.reference_to_fhir((p -> 'uri')::text, p - 'uri')
    when jsonb_typeof(p -> 'localRef') = 'string' and not p ?| '{resourceType,id,uri}' then
      fhir.reference_to_fhir(to_json('#' || (p ->> 'localRef'))::text, p - 'localRef')
    when p ? 'identifier' then fhir.reference_to_fhir(null, p)
    else p::text
  end;
end $$;

-- Aidbox -> FHIR for one Reference value. The usual ones are written here: {resourceType, id}
-- with maybe display or type, and a reference with nothing to convert; any other goes through
-- fhir.other_ref_to_fhir. SQL, so that PostgreSQL inlines it into the caller's expression: a
-- PL/pgSQL call costs more than the whole of the usual case (each use of p then extracts it from
-- its parent again, which is cheap).
create function fhir.ref_to_fhir(p jsonb) returns text
language sql stable parallel safe
return case
  -- Most of a type's Reference elements are absent: one lookup, where each test below would
  -- make its own (inlined, every use of p extracts it from its parent again).
  when p is null then null
  when jsonb_typeof(p -> 'resourceType') = 'string' and jsonb_typeof(p -> 'id') = 'string'
    and not p ?| '{reference,uri,localRef,identifier}' then
    '{"reference": ' || to_json((p ->> 'resourceType') || '/' || (p ->> 'id'))::text
    -- the rest of the object's text, after its "{"
    || case when p - '{resourceType,id}'::text[] = '{}' then '}'
            else ', ' || substr((p - '{resourceType,id}'::text[])::text, 2) end
  when jsonb_typeof(p) = 'object' and not p ?| '{resourceType,id,uri,localRef,identifier}' then p::text
  else fhir.other_ref_to_fhir(p)
end;

-- A Reference as Aidbox-format JSON text: the target's members (resourceType and id, localRef
-- or uri; null for none), then the converted identifier and the rest of the FHIR reference.
create function fhir.reference_from_fhir(p_target text, p_rest jsonb) returns text
language sql stable parallel safe
return '{' || concat_ws(', ',
  p_target,
  '"identifier": ' || fhir_meta."from:Identifier"(p_rest -> 'identifier'),
  fhir.members(p_rest - 'identifier')) || '}';

-- FHIR -> Aidbox for one Reference value, as JSON text: the reverse of fhir.other_ref_to_fhir.
create function fhir.other_ref_from_fhir(p jsonb) returns text
language plpgsql stable strict parallel safe as $$
declare
  v_reference text := p ->> 'reference';
begin
  if jsonb_typeof(p -> 'reference') is distinct from 'string' or p ?| '{resourceType,id,uri,localRef}' then
    return case when p ? 'identifier' then fhir.reference_from_fhir(null, p) else p::text end;
  end if;
  return case
    when v_reference ~ '^[A-Z][A-Za-z0-9]*/[^/?#]+$' then
      fhir.reference_from_fhir('"resourceType": ' || to_json(split_part(v_reference, '/', 1))::text
                               || ', "id": ' || to_json(split_part(v_reference, '/', 2))::text,
                               p - 'reference')
    when left(v_reference, 1) = '#' then
      fhir.reference_from_fhir('"localRef": ' || to_json(substr(v_reference, 2))::text, p - 'reference')
    when v_reference ~ '^[A-Za-z][A-Za-z0-9+.-]*:' then
      fhir.reference_from_fhir('"uri": ' || (p -> 'reference')::text, p - 'reference')
    when p ? 'identifier' then fhir.reference_from_fhir(null, p)
    else p::text
  end;
end $$;

-- FHIR -> Aidbox for one Reference value: the usual "Type/id" (with maybe display or type) and
-- a reference with nothing to convert written here, inlined like fhir.ref_to_fhir; any other
-- through fhir.other_ref_from_fhir.
create function fhir.ref_from_fhir(p jsonb) returns text
language sql stable parallel safe
return case
  when p is null then null -- absent: one lookup (see fhir.ref_to_fhir)
  when (p ->> 'reference') ~ '^[A-Z][A-Za-z0-9]*/[^/?#]+$' and jsonb_typeof(p -> 'reference') = 'string'
    and not p ?| '{resourceType,id,uri,localRef,identifier}' then
    '{"resourceType": ' || to_json(split_part(p ->> 'reference', '/', 1))::text
    || ', "id": ' || to_json(split_part(p ->> 'reference', '/', 2))::text
    -- the rest of the object's text, after its "{"
    || case when p - 'reference' = '{}' then '}' else ', ' || substr((p - 'reference')::text, 2) end
  when jsonb_typeof(p) = 'object' and not p ?| '{reference,identifier}' then p::text
  else fhir.other_ref_from_fhir(p)
end;

-- ---------------------------------------------------------------------------------------------
-- Choice types

-- Aidbox -> FHIR for one choice element, as the members of its FHIR JSON text: "value":
-- {"Quantity": {...}, "_string": {...}} gives "valueQuantity": {...}, "_valueString": {...}.
-- Returns null, so that the caller writes the value as it is, when it is not an object of
-- allowed type names (nothing would round-trip).
-- PL/pgSQL: a loop over the few allowed types, called once per choice element present.
create function fhir.choice_to_fhir(p_name text, p_value jsonb, p_types text[]) returns text
language plpgsql stable strict parallel safe as $$
declare
  v_members text[] := '{}';
  v_rest    jsonb;
  v_type    text;
  v_suffix  text;
begin
  if jsonb_typeof(p_value) is distinct from 'object' or p_value = '{}' then
    return null;
  end if;
  -- No query per call: walk the allowed types, then check that nothing else was in the object.
  v_rest := p_value - p_types;
  foreach v_type in array p_types loop
    v_suffix := upper(left(v_type, 1)) || substr(v_type, 2);
    if p_value ? v_type then
      v_members := v_members || (to_json(p_name || v_suffix)::text || ': '
                                 || fhir_meta.type_to_fhir(v_type, p_value -> v_type));
    end if;
    -- a primitive's id/extensions (only primitives, lower-case codes, have them)
    if v_rest <> '{}' and left(v_type, 1) between 'a' and 'z' and v_rest ? ('_' || v_type) then
      v_members := v_members || (to_json('_' || p_name || v_suffix)::text || ': '
                                 || (v_rest -> ('_' || v_type))::text);
      v_rest := v_rest - ('_' || v_type);
    end if;
  end loop;
  if v_rest <> '{}' then
    return null;
  end if;
  return array_to_string(v_members, ', ');
end $$;

-- ---------------------------------------------------------------------------------------------
-- Resources and meta

-- meta as FHIR JSON text: createdAt becomes the createdAt extension (appended to
-- meta.extension) and a numeric versionId a string. Anything else in meta is kept.
create function fhir.meta_to_fhir(p jsonb) returns text
language plpgsql stable strict parallel safe as $$
begin
  if jsonb_typeof(p) <> 'object' or not (p ? 'createdAt' or jsonb_typeof(p -> 'versionId') = 'number') then
    return p::text;
  end if;
  -- Rare (a row's own meta, a contained resource's meta): small, so built as jsonb.
  return ((p - 'createdAt')
    || (fhir.pair('versionId', case when jsonb_typeof(p -> 'versionId') = 'number'
                                    then to_jsonb(p ->> 'versionId') end)
        || case when p ? 'createdAt' then jsonb_build_object('extension',
             coalesce(case when jsonb_typeof(p -> 'extension') = 'array' then p -> 'extension' end, '[]')
             || jsonb_build_array(jsonb_build_object('url', fhir.created_at_url(), 'valueInstant', p -> 'createdAt')))
           else '{}' end))::text;
end $$;

-- meta from FHIR: the createdAt extension becomes meta.createdAt (the extension array goes
-- when it held nothing else).
create function fhir.meta_from_fhir(p jsonb) returns jsonb
language plpgsql stable strict parallel safe as $$
declare
  v_url     text := fhir.created_at_url();
  v_rest    jsonb[] := '{}';
  v_created jsonb;
  v_ext     jsonb;
begin
  if jsonb_typeof(p) is distinct from 'object' or jsonb_typeof(p -> 'extension') is distinct from 'array'
    or not p -> 'extension' @> jsonb_build_array(jsonb_build_object('url', v_url)) then
    return p;
  end if;
  for i in 0 .. jsonb_array_length(p -> 'extension') - 1 loop
    v_ext := p -> 'extension' -> i;
    if v_created is null and v_ext ->> 'url' = v_url and v_ext ? 'valueInstant' then
      v_created := v_ext -> 'valueInstant';
    else
      v_rest := array_append(v_rest, v_ext);
    end if;
  end loop;
  return (p - 'extension') || fhir.pair('createdAt', v_created)
    || case when cardinality(v_rest) > 0 then jsonb_build_object('extension', to_jsonb(v_rest)) else '{}' end;
end $$;

-- The first members of a resource's FHIR JSON text, from the resource itself: resourceType, id
-- and meta (converted).
create function fhir.resource_head(p jsonb) returns text
language sql stable parallel safe
return concat_ws(', ',
  '"resourceType": ' || (p -> 'resourceType')::text,
  '"id": ' || (p -> 'id')::text,
  '"meta": ' || fhir.meta_to_fhir(p -> 'meta'));

-- A nested resource (contained, Bundle.entry.resource) as FHIR JSON text, by its own
-- resourceType: through the dispatcher for nested resources (see fhir_meta.nested_to_fhir).
create function fhir.resource_to_fhir(p jsonb) returns text
language sql stable parallel safe
return case when jsonb_typeof(p -> 'resourceType') = 'string'
  then fhir_meta.nested_to_fhir(p ->> 'resourceType', p) else p::text end;

-- The first members of a resource's Aidbox-format JSON text: resourceType, id and meta
-- (converted).
create function fhir.resource_head_from_fhir(p jsonb) returns text
language sql stable parallel safe
return concat_ws(', ',
  '"resourceType": ' || (p -> 'resourceType')::text,
  '"id": ' || (p -> 'id')::text,
  '"meta": ' || fhir.meta_from_fhir(p -> 'meta')::text);

-- A nested resource from FHIR, by its own resourceType, as JSON text.
create function fhir.resource_from_fhir(p jsonb) returns text
language sql stable parallel safe
return case when jsonb_typeof(p -> 'resourceType') = 'string'
  then fhir_meta.nested_from_fhir(p ->> 'resourceType', p) else p::text end;

-- ---------------------------------------------------------------------------------------------
-- First-class extensions (docs/formats.md, "First-class extensions")

-- The Attribute rows of a resource type that declare an extension, as a JSON array of
-- {path, url, collection, type}, or null when there are none. Read on every call: an Attribute
-- takes effect as soon as it is written, with no cache to go stale.
create function fhir.attributes(p_type text) returns jsonb
language sql stable parallel safe
return (
  select jsonb_agg(jsonb_build_object(
           'path', a.resource -> 'path',
           'url', a.resource -> 'extensionUrl',
           'collection', coalesce(a.resource -> 'isCollection', 'false') = 'true',
           'type', a.resource #>> '{type,id}')
         order by a.id)
  from public.attribute a
  where a.resource #>> '{resource,id}' = p_type
    and jsonb_typeof(a.resource -> 'extensionUrl') = 'string'
    and jsonb_typeof(a.resource -> 'path') = 'array');

-- The extensions (a JSON array) that one first-class value becomes: one per element when the
-- Attribute is a collection. A typed Attribute gives {url, value<Type>}; an untyped one gives
-- {url, extension: [...]} from its child Attributes (keys without one are kept as they are).
create function fhir.extension_to_fhir(p_value jsonb, p_attr jsonb, p_attrs jsonb) returns jsonb
language plpgsql stable parallel safe as $$
declare
  v_result jsonb := '[]';
  v_item   jsonb;
  v_inner  jsonb;
  v_child  jsonb;
  v_key    text;
  v_value  jsonb;
  v_type   text := p_attr ->> 'type';
begin
  for v_item in
    select e from jsonb_array_elements(case when (p_attr -> 'collection')::boolean
                                              and jsonb_typeof(p_value) = 'array'
                                            then p_value else jsonb_build_array(p_value) end) e
  loop
    if v_type is not null then
      v_result := v_result || jsonb_build_array(jsonb_build_object(
        'url', p_attr -> 'url',
        'value' || upper(left(v_type, 1)) || substr(v_type, 2), fhir_meta.type_to_fhir(v_type, v_item)::jsonb));
    elsif jsonb_typeof(v_item) = 'object' then
      v_inner := '[]';
      v_child := '{}';
      for v_key, v_value in select key, value from jsonb_each(v_item) loop
        select a into v_child from jsonb_array_elements(p_attrs) a
        where a -> 'path' = (p_attr -> 'path') || to_jsonb(v_key);
        if v_child is not null then
          v_inner := v_inner || fhir.extension_to_fhir(v_value, v_child, p_attrs);
          v_item := v_item - v_key;
        end if;
      end loop;
      v_result := v_result || jsonb_build_array(
        v_item || jsonb_build_object('url', p_attr -> 'url')
               || case when v_inner <> '[]' then jsonb_build_object('extension', v_inner) else '{}' end);
    else
      v_result := v_result || jsonb_build_array(jsonb_build_object('url', p_attr -> 'url', 'value', v_item));
    end if;
  end loop;
  return v_result;
end $$;

-- Moves a resource's first-class keys into `extension`, as FHIR extensions (p_attrs:
-- fhir.attributes). Done on the Aidbox-format resource before the rest of it is converted: the
-- conversion writes `extension` as it is.
create function fhir.extensions_to_fhir(p jsonb, p_attrs jsonb) returns jsonb
language plpgsql stable parallel safe as $$
declare
  v_attr jsonb;
  v_key  text;
  v_ext  jsonb := '[]';
begin
  for v_attr in select a from jsonb_array_elements(p_attrs) a where jsonb_array_length(a -> 'path') = 1 loop
    v_key := v_attr #>> '{path,0}';
    if p ? v_key then
      v_ext := v_ext || fhir.extension_to_fhir(p -> v_key, v_attr, p_attrs);
      p := p - v_key;
    end if;
  end loop;
  if v_ext = '[]' then
    return p;
  end if;
  return p || jsonb_build_object('extension',
    coalesce(case when jsonb_typeof(p -> 'extension') = 'array' then p -> 'extension' end, '[]') || v_ext);
end $$;

-- The first-class value one extension gives back (the reverse of fhir.extension_to_fhir for
-- one element), or null when the extension does not have the shape its Attribute declares.
create function fhir.extension_from_fhir(p_ext jsonb, p_attr jsonb, p_attrs jsonb) returns jsonb
language plpgsql stable parallel safe as $$
declare
  v_type   text := p_attr ->> 'type';
  v_result jsonb;
  v_sub    jsonb;
  v_child  jsonb;
  v_key    text;
  v_value  jsonb;
begin
  if jsonb_typeof(p_ext) is distinct from 'object' then
    return null;
  end if;
  if v_type is not null then
    return fhir_meta.type_from_fhir(v_type, p_ext -> ('value' || upper(left(v_type, 1)) || substr(v_type, 2)))::jsonb;
  end if;
  if p_ext ? 'value' then
    return p_ext -> 'value';
  end if;
  v_result := p_ext - 'url' - 'extension';
  v_sub := '[]';
  for v_value in select e from jsonb_array_elements(coalesce(p_ext -> 'extension', '[]')) e loop
    v_child := null;
    select a into v_child from jsonb_array_elements(p_attrs) a
    where a -> 'url' = v_value -> 'url'
      and jsonb_array_length(a -> 'path') = jsonb_array_length(p_attr -> 'path') + 1
      and a -> 'path' @> (p_attr -> 'path') and (a -> 'path') - (-1) = p_attr -> 'path';
    if v_child is not null and fhir.extension_from_fhir(v_value, v_child, p_attrs) is not null then
      v_key := v_child #>> array['path', (jsonb_array_length(v_child -> 'path') - 1)::text];
      if (v_child -> 'collection')::boolean then
        v_result := v_result || jsonb_build_object(v_key,
          coalesce(v_result -> v_key, '[]') || jsonb_build_array(fhir.extension_from_fhir(v_value, v_child, p_attrs)));
      else
        v_result := v_result || jsonb_build_object(v_key, fhir.extension_from_fhir(v_value, v_child, p_attrs));
      end if;
    else
      v_sub := v_sub || jsonb_build_array(v_value);
    end if;
  end loop;
  if v_sub <> '[]' then
    v_result := v_result || jsonb_build_object('extension', v_sub);
  end if;
  return v_result;
end $$;

-- Moves a resource's extensions that Attributes declare out of `extension` into their
-- first-class keys (Aidbox format). Other extensions stay, in their order.
create function fhir.extensions_from_fhir(p jsonb, p_attrs jsonb) returns jsonb
language plpgsql stable parallel safe as $$
declare
  v_ext   jsonb;
  v_attr  jsonb;
  v_key   text;
  v_value jsonb;
  v_rest  jsonb := '[]';
begin
  if jsonb_typeof(p -> 'extension') is distinct from 'array' then
    return p;
  end if;
  for v_ext in select e from jsonb_array_elements(p -> 'extension') e loop
    v_attr := null;
    select a into v_attr from jsonb_array_elements(p_attrs) a
    where jsonb_array_length(a -> 'path') = 1 and a -> 'url' = v_ext -> 'url';
    v_value := case when v_attr is not null then fhir.extension_from_fhir(v_ext, v_attr, p_attrs) end;
    if v_value is null then
      v_rest := v_rest || jsonb_build_array(v_ext);
      continue;
    end if;
    v_key := v_attr #>> '{path,0}';
    if (v_attr -> 'collection')::boolean then
      p := p || jsonb_build_object(v_key, coalesce(p -> v_key, '[]') || jsonb_build_array(v_value));
    else
      p := p || jsonb_build_object(v_key, v_value);
    end if;
  end loop;
  if v_rest = '[]' then
    return p - 'extension';
  end if;
  return p || jsonb_build_object('extension', v_rest);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Entry points

-- A whole Aidbox-format resource (resourceType, id, meta included) to FHIR, with the given
-- first-class extension Attributes (fhir.attributes of its type; null for none). Lets a caller
-- read the Attributes once for many rows.
create function fhir.to_fhir(p_resource jsonb, p_attributes jsonb) returns jsonb
language plpgsql stable parallel safe as $$
begin
  if jsonb_typeof(p_resource) is distinct from 'object' then
    return fhir.invalid_resource('to_fhir', p_resource);
  end if;
  -- A large value is compressed: `|| '{}'` decompresses it once, not once per use below.
  p_resource := p_resource || '{}';
  if jsonb_typeof(p_resource -> 'resourceType') is distinct from 'string' then
    return fhir.invalid_resource('to_fhir', p_resource);
  end if;
  if p_attributes is not null then
    p_resource := fhir.extensions_to_fhir(p_resource, p_attributes);
  end if;
  return fhir_meta.resource_to_fhir(p_resource ->> 'resourceType', p_resource, null)::jsonb;
end $$;

-- A whole Aidbox-format resource to FHIR JSON. Stable: it reads the Attribute table.
create function fhir.to_fhir(p_resource jsonb) returns jsonb
language sql stable parallel safe
return fhir.to_fhir(p_resource, fhir.attributes(p_resource ->> 'resourceType'));

-- The meta member of a stored body written from a FHIR resource's meta: converted, without the
-- parts the row's columns hold (versionId, lastUpdated, createdAt); null when nothing is left.
create function fhir.stored_meta_from_fhir(p_meta jsonb) returns text
language plpgsql stable strict parallel safe as $$
begin
  p_meta := fhir.meta_from_fhir(p_meta);
  if jsonb_typeof(p_meta) is distinct from 'object' then
    return null;
  end if;
  p_meta := p_meta - '{versionId,lastUpdated,createdAt}'::text[];
  return case when p_meta <> '{}' then '"meta": ' || p_meta::text end;
end $$;

-- A FHIR resource as Aidbox-format JSON text, with the given Attributes (null for none): the
-- whole resource, or with p_body what its table's resource column stores (no resourceType or id,
-- meta without the parts the row's columns hold). Raises SL422 for a non-object or a missing or
-- non-string resourceType.
create function fhir.from_fhir_text(p_resource jsonb, p_attributes jsonb, p_body boolean) returns text
language plpgsql stable parallel safe as $$
begin
  if jsonb_typeof(p_resource) is distinct from 'object' then
    return fhir.invalid_resource('from_fhir', p_resource);
  end if;
  -- A large value is compressed: `|| '{}'` decompresses it once, not once per use below.
  p_resource := p_resource || '{}';
  if jsonb_typeof(p_resource -> 'resourceType') is distinct from 'string' then
    return fhir.invalid_resource('from_fhir', p_resource);
  end if;
  if p_attributes is not null and p_resource ? 'extension' then
    p_resource := fhir.extensions_from_fhir(p_resource, p_attributes);
  end if;
  return fhir_meta.resource_from_fhir(p_resource ->> 'resourceType', p_resource,
    case when p_body then fhir.stored_meta_from_fhir(p_resource -> 'meta')
         else fhir.resource_head_from_fhir(p_resource) end);
end $$;

-- FHIR JSON to Aidbox format, with the given Attributes (null for none).
create function fhir.from_fhir(p_resource jsonb, p_attributes jsonb) returns jsonb
language sql stable parallel safe
return fhir.from_fhir_text(p_resource, p_attributes, false)::jsonb;

-- FHIR JSON to Aidbox format. Raises SL422 for a non-object or a missing or non-string
-- resourceType. Stable: it reads the Attribute table.
create function fhir.from_fhir(p_resource jsonb) returns jsonb
language sql stable parallel safe
return fhir.from_fhir_text(p_resource,
  case when jsonb_typeof(p_resource -> 'resourceType') = 'string'
       then fhir.attributes(p_resource ->> 'resourceType') end, false)::jsonb;

-- What a FHIR resource becomes in its table's resource column: the same as
-- sluice.resource_body(fhir.from_fhir(...)), written as text and parsed once (loads call it for
-- every line).
create function fhir.body_from_fhir(p_resource jsonb, p_attributes jsonb) returns jsonb
language sql stable parallel safe
return fhir.from_fhir_text(p_resource, p_attributes, true)::jsonb;

-- The first members of a stored row's FHIR JSON text: resourceType, id and meta, whose
-- versionId, lastUpdated and createdAt extension come from the row's columns (the instants
-- already formatted: the caller formats one when both are equal) and anything else from the
-- body's own meta (p_meta).
create function fhir.row_head(p_type text, p_id text, p_txid bigint, p_last_updated text, p_created_at text,
                              p_meta jsonb) returns text
language sql stable parallel safe
return '"resourceType": ' || to_json(p_type)::text || ', "id": ' || to_json(p_id)::text || ', "meta": '
  || case
    -- The usual case, written directly.
    when p_meta is null then
      '{"versionId": "' || p_txid::text || '", "lastUpdated": "' || p_last_updated
      || '", "extension": [{"url": ' || to_json(fhir.created_at_url())::text
      || ', "valueInstant": "' || p_created_at || '"}]}'
    else fhir.meta_to_fhir(p_meta || jsonb_build_object(
      'versionId', p_txid::text, 'lastUpdated', p_last_updated, 'createdAt', p_created_at))
  end;

-- A stored row (the columns of public.<type>) as FHIR JSON: the same value as
-- fhir.to_fhir(sluice.resource_full(...)) without building the Aidbox resource first (the body
-- made public by sluice.public_body there too), as JSON text for streaming: a dump prints it as it is, and
-- `::jsonb` gives the jsonb value. Text rather than json: a json result would be parsed again
-- to validate it, which costs about a tenth of the conversion. With the Attributes given, for
-- dumps that read them once:
--   select fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource,
--                           (select fhir.attributes('Patient')))
--   from public.patient t;
-- PL/pgSQL, not SQL: PostgreSQL does not inline a SQL function whose argument is a subquery (the
-- Attributes above), and then runs its body through the SQL-function executor on every row.
create function fhir.row_to_fhir(
  p_type text, p_id text, p_txid bigint, p_cts timestamptz, p_ts timestamptz, p_resource jsonb,
  p_attributes jsonb
) returns text
language plpgsql stable parallel safe as $$
declare
  v_last_updated text := sluice.iso_instant(p_ts);
begin
  -- A stored body over ~2 kB is compressed: decompress it once, not once per use below.
  p_resource := sluice.public_body(p_type, p_resource || '{}');
  if p_attributes is not null then
    p_resource := fhir.extensions_to_fhir(p_resource, p_attributes);
  end if;
  return fhir_meta.resource_to_fhir(p_type, p_resource,
    fhir.row_head(p_type, p_id, p_txid, v_last_updated,
                  case when p_cts = p_ts then v_last_updated else sluice.iso_instant(p_cts) end,
                  p_resource -> 'meta'));
end $$;

-- A stored row as FHIR JSON: select fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource) from patient;
create function fhir.row_to_fhir(
  p_type text, p_id text, p_txid bigint, p_cts timestamptz, p_ts timestamptz, p_resource jsonb
) returns text
language sql stable parallel safe
return fhir.row_to_fhir(p_type, p_id, p_txid, p_cts, p_ts, p_resource, fhir.attributes(p_type));
