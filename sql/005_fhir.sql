-- FHIR R4 <-> Aidbox format conversion (docs/formats.md), the functions psql users and the
-- /fhir endpoints call:
--
--   fhir.to_fhir(resource jsonb)     a whole Aidbox-format resource -> FHIR JSON
--   fhir.from_fhir(resource jsonb)   FHIR JSON -> Aidbox format
--   fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource)
--                                    a stored row -> FHIR JSON text, in one pass:
--                                    select fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource) from patient;
--
-- Both ways, the functions write JSON text (see 004's header for why); fhir.to_fhir and
-- fhir.from_fhir cast it to jsonb. Loads store fhir.body_from_fhir.
--
-- Which keys are references, choice types and contained resources comes from the generated
-- per-type functions of 004_fhir_meta.sql (schema fhir_meta); this file holds the rules for
-- one reference, one choice value and meta, first-class extensions (Attribute rows), and the
-- public entry points.
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
-- fhir.to_fhir(sluice.resource_full(...)) without building the Aidbox resource first (a Client's
-- secret is left out there too), as JSON text for streaming: a dump prints it as it is, and
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
  p_resource := p_resource || '{}';
  if p_type = 'Client' then
    p_resource := p_resource - 'secret';
  end if;
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
