-- Undoes 000005: the conversion functions and the Attribute index they use.
drop schema fhir cascade;
drop index if exists public.attribute_entity_idx;
