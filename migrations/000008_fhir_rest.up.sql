-- The /fhir twins of the REST API: one Bundle entry (or one plain REST request, which the proxy
-- runs as a one-entry batch) in FHIR format. The entry's resource is converted from FHIR, the
-- work is sluice.entry_run's, and the answer's resource is converted back.

create function fhir.entry_run(p_entry jsonb,
                               out resource jsonb, out http_status int, out location text)
language plpgsql volatile as $$
declare
  v_resource jsonb := p_entry -> 'resource';
begin
  if jsonb_typeof(v_resource) = 'object' then
    if not v_resource ? 'resourceType' then
      -- POST /fhir/Patient may leave resourceType out: the URL's first segment names it.
      v_resource := v_resource || jsonb_build_object('resourceType',
        split_part(trim(both '/' from split_part(p_entry #>> '{request,url}', '?', 1)), '/', 1));
    end if;
    p_entry := jsonb_set(p_entry, '{resource}', fhir.from_fhir(v_resource));
  end if;
  select r.resource, r.http_status, r.location into resource, http_status, location
    from sluice.entry_run(p_entry) r;
  resource := fhir.to_fhir(resource);
end $$;

create function fhir.bundle_entry(p_entry jsonb) returns jsonb
language sql volatile
return (select sluice.entry_response(r.resource, r.http_status, r.location)
        from fhir.entry_run(p_entry) r);

-- One plain REST request (run as a one-entry batch), in Aidbox format or, with p_fhir, in FHIR
-- format: what the proxy's POST /<type> and GET|PUT|DELETE /<type>/<id> call.
create function sluice.request_run(p_fhir boolean, p_entry jsonb,
                                   out resource jsonb, out http_status int, out location text)
language plpgsql volatile as $$
begin
  if p_fhir then
    select r.resource, r.http_status, r.location into resource, http_status, location
      from fhir.entry_run(p_entry) r;
  else
    select r.resource, r.http_status, r.location into resource, http_status, location
      from sluice.entry_run(p_entry) r;
  end if;
end $$;
