-- The /fhir twins of the REST API: one Bundle entry (or one plain REST request, which the proxy
-- runs as a one-entry batch) in FHIR format. The entry's resource is converted from FHIR, the
-- work is sluice.bundle_entry's, and the answer's resource is converted back.

create function fhir.bundle_entry(p_entry jsonb) returns jsonb
language plpgsql volatile as $$
declare
  v_resource jsonb := p_entry -> 'resource';
  v_result   jsonb;
begin
  if jsonb_typeof(v_resource) = 'object' then
    if not v_resource ? 'resourceType' then
      -- POST /fhir/Patient may leave resourceType out: the URL's first segment names it.
      v_resource := v_resource || jsonb_build_object('resourceType',
        split_part(trim(both '/' from split_part(p_entry #>> '{request,url}', '?', 1)), '/', 1));
    end if;
    p_entry := jsonb_set(p_entry, '{resource}', fhir.from_fhir(v_resource));
  end if;
  v_result := sluice.bundle_entry(p_entry);
  return jsonb_set(v_result, '{resource}', fhir.to_fhir(v_result -> 'resource'));
end $$;
