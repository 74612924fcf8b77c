-- Undoes 000004: the generated conversion metadata and functions.
drop schema fhir_meta cascade;
