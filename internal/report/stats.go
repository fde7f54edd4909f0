package report

// HostStats are one host's recap counters, as in PLAY RECAP.
type HostStats struct {
	OK          int `json:"ok"`
	Changed     int `json:"changed"`
	Unreachable int `json:"unreachable"`
	Failures    int `json:"failures"`
	Skipped     int `json:"skipped"`
	Rescued     int `json:"rescued"`
	Ignored     int `json:"ignored"`
}

// Stats are the recap counters per host name. A Stats is not safe for
// concurrent use.
type Stats map[string]*HostStats

// host returns h's counters, creating them: like Ansible, a host appears in
// the recap once anything was counted for it.
func (s Stats) host(h string) *HostStats {
	hs := s[h]
	if hs == nil {
		hs = &HostStats{}
		s[h] = hs
	}
	return hs
}

// Add counts one task result by Ansible's recap rules: ok counts ok, changed
// and ignored results (failed or unreachable); changed counts results whose
// "changed" is true, except failures that were not ignored and unreachable
// hosts; failures counts failed results not ignored; unreachable counts
// unreachable results not ignored; ignored counts ignored failures and
// unreachables; skipped counts skips (not in ok). Results of include_role and
// meta tasks must not be added; Ansible does not count them.
func (s Stats) Add(r HostResult) {
	hs := s.host(r.Host)
	changed := truthy(r.Result["changed"])
	switch r.Status {
	case OK, Changed:
		hs.OK++
		if changed || r.Status == Changed {
			hs.Changed++
		}
	case Failed:
		if !r.Ignored {
			hs.Failures++
			return
		}
		hs.OK++
		hs.Ignored++
		if changed {
			hs.Changed++
		}
	case Unreachable:
		if !r.Ignored {
			hs.Unreachable++
			return
		}
		hs.OK++
		hs.Ignored++
	case Skipped:
		hs.Skipped++
	}
}

// Rescue records that a failure of host was rescued by a block's rescue
// section: Ansible counts such a failure under rescued and not under
// failures, so Rescue moves one count from failures (if any) to rescued.
// Call it after Add for the failed result, or instead of Add.
func (s Stats) Rescue(host string) {
	hs := s.host(host)
	if hs.Failures > 0 {
		hs.Failures--
	}
	hs.Rescued++
}

// ansible-playbook's exit codes.
const (
	// ExitOK: every host succeeded (ignored failures included).
	ExitOK = 0
	// ExitError: an error outside the hosts (bad playbook, internal error).
	ExitError = 1
	// ExitFailed: a host failed (and, within the stats, none unreachable),
	// or a play was aborted by any_errors_fatal or max_fail_percentage.
	ExitFailed = 2
	// ExitUnreachable: a host was unreachable at any point of the run.
	ExitUnreachable = 4
)

// ExitCode returns ansible-playbook 2.14's exit code for a run that ended
// with stats s: ExitUnreachable if any host was unreachable, else ExitFailed
// if any host has failures, else ExitOK. Unreachable wins over failed, in the
// same play or across plays, as ansible-core checks the run's unreachable
// hosts before its failed ones. Not derivable from stats, and so the caller's
// to decide: a play aborted by any_errors_fatal or max_fail_percentage exits
// ExitFailed even with unreachable hosts.
func ExitCode(s Stats) int {
	failed := false
	for _, hs := range s {
		if hs.Unreachable > 0 {
			return ExitUnreachable
		}
		if hs.Failures > 0 {
			failed = true
		}
	}
	if failed {
		return ExitFailed
	}
	return ExitOK
}
