-- Undoes 000002_policy: the triggers put on public tables, then schema policy with its
-- functions. Secrets already hashed stay hashed: a hash cannot be turned back into the secret.
drop trigger accesspolicy_check on public.accesspolicy;
drop trigger client_secret_hash on public.client_history;
drop trigger client_secret_hash on public.client;
drop schema policy cascade;
