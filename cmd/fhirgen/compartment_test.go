package main

import (
	"reflect"
	"testing"
)

// A search parameter's expression reduced to the element paths of one type.
func TestExpressionPaths(t *testing.T) {
	cases := []struct {
		resourceType, expr string
		want               []string
	}{
		{"Observation", "Observation.subject.where(resolve() is Patient)", []string{"subject"}},
		{"Condition", "AllergyIntolerance.patient | CarePlan.subject.where(resolve() is Patient) | Condition.subject.where(resolve() is Patient)", []string{"subject"}},
		{"Appointment", "Appointment.participant.actor", []string{"participant.actor"}},
		{"AuditEvent", "AuditEvent.agent.who.where(resolve() is Patient) | AuditEvent.entity.what.where(resolve() is Patient)", []string{"agent.who", "entity.what"}},
		{"X", "(X.useContext.value as Reference)", []string{"useContext.value.Reference"}},
		{"X", "Y.subject", nil},
	}
	for _, c := range cases {
		if got := expressionPaths(c.resourceType, c.expr); !reflect.DeepEqual(got, c.want) {
			t.Errorf("expressionPaths(%s, %q) = %v, want %v", c.resourceType, c.expr, got, c.want)
		}
	}
}

// The pinned definitions give the compartment HL7 publishes (a few of its rows).
func TestPatientCompartment(t *testing.T) {
	rows, err := patientCompartment("../../.tools/fhir/package/dist/fhir/r4")
	if err != nil {
		t.Fatalf("%v (make generate fetches the definitions)", err)
	}
	have := map[compartmentRow]bool{}
	for _, r := range rows {
		have[r] = true
	}
	for _, want := range []compartmentRow{
		{"Observation", "subject", "subject"}, {"Observation", "performer", "performer"},
		{"Encounter", "subject", "subject"}, {"Patient", "link", "link.other"},
		{"Group", "member", "member.entity"}, {"Procedure", "performer", "performer.actor"},
	} {
		if !have[want] {
			t.Errorf("no compartment row %+v", want)
		}
	}
	if len(rows) < 90 {
		t.Errorf("%d compartment rows, want the definition's ~100", len(rows))
	}
}
