-- Undoes 000005: the conversion functions, the generator and what it made, and the Attribute
-- index they use.
drop schema fhir cascade;
do $$
declare
  v_fn regprocedure;
begin
  for v_fn in select p.oid from pg_proc p where p.pronamespace = 'fhir_meta'::regnamespace loop
    execute 'drop function ' || v_fn;
  end loop;
end $$;
drop index if exists public.attribute_entity_idx;
