package job

import "testing"

func TestSubjectJob(t *testing.T) {
	id := NewRunID().Job(3)
	tests := []struct {
		name    string
		prefix  string
		subject string
		want    ID
		wantOK  bool
	}{
		{name: "cancel", prefix: CancelSubjectPrefix, subject: CancelSubject(id), want: id, wantOK: true},
		{name: "probe", prefix: ProbeSubjectPrefix, subject: ProbeSubject(id), want: id, wantOK: true},
		{name: "output", prefix: OutputSubjectPrefix, subject: OutputSubject(id), want: id, wantOK: true},
		{name: "other prefix", prefix: CancelSubjectPrefix, subject: ProbeSubject(id)},
		{name: "prefix alone", prefix: CancelSubjectPrefix, subject: CancelSubjectPrefix},
		{name: "prefix and dot", prefix: CancelSubjectPrefix, subject: CancelSubjectPrefix + "."},
		{name: "prefix without dot", prefix: CancelSubjectPrefix, subject: CancelSubjectPrefix + "x." + string(id)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := SubjectJob(tt.prefix, tt.subject)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("SubjectJob(%q, %q) = %q, %v; want %q, %v", tt.prefix, tt.subject, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestMaxDeliveriesSubject(t *testing.T) {
	want := "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.JETPLAY_TASKS.executors-web"
	if got := MaxDeliveriesSubject("web"); got != want {
		t.Errorf("MaxDeliveriesSubject(web) = %q, want %q", got, want)
	}
	if got := MaxDeliveriesSubject(""); got != MaxDeliveriesSubject(DefaultPool) {
		t.Errorf("the empty pool is not the default pool: %q", got)
	}
}
