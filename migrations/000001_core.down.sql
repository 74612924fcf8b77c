drop schema sluice cascade;
drop table public.client, public.client_history, public.accesspolicy, public.accesspolicy_history,
  public.attribute, public.attribute_history, public.bulkimportstatus, public.bulkimportstatus_history;
drop sequence public.transaction_id_seq;
drop type public.resource_status;
drop extension pgcrypto;
