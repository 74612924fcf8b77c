-- Undoes 000004: the conversion metadata.
drop schema fhir_meta cascade;
