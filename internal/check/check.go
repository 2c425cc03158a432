package check

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// Status is the outcome of a check.
type Status string

// The outcomes.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Result is one check's finding, in the JSON form the design fixes (fields may be added, never renamed).
type Result struct {
	ID      string `json:"id"`
	Status  Status `json:"status"`
	Summary string `json:"summary"`
	Detail  string `json:"detail,omitempty"`
	Cause   string `json:"cause,omitempty"`
	Fix     string `json:"fix,omitempty"`
	MS      int64  `json:"ms"`
}

// Report is a whole diagnosis.
type Report struct {
	Registry string   `json:"registry"`
	OK       bool     `json:"ok"`
	Checks   []Result `json:"checks"`
	Causes   []string `json:"causes"`
}

// Check is one diagnosis step.
type Check struct {
	ID  string
	Run func(ctx context.Context, e *Env) Result
}

func pass(summary string) Result { return Result{Status: Pass, Summary: summary} }
func skip(summary string) Result { return Result{Status: Skip, Summary: summary} }
func warn(summary, detail string) Result {
	return Result{Status: Warn, Summary: summary, Detail: detail}
}

// fail is a finding with its cause; the fix comes from the catalogue, filled with the registry, the
// evidence, and the identity's object id when a role assignment is the fix.
func (e *Env) fail(id, summary, detail string) Result {
	fix := cause.FixWithEvidence(id, e.Host(), summary+" "+detail)
	if strings.Contains(fix, "<object id>") && e.entra != nil {
		if got, err := e.entra(); err == nil && got.Claims.ObjectID != "" {
			fix = strings.ReplaceAll(fix, "<object id>", got.Claims.ObjectID)
		}
	}
	return Result{Status: Fail, Summary: summary, Detail: detail, Cause: id, Fix: fix}
}

// Run runs the checks in parallel, each bounded by timeout, and reports them in the order given. progress,
// if set, sees each result as it completes.
func Run(ctx context.Context, e *Env, checks []Check, timeout time.Duration, progress func(Result)) Report {
	e.start(ctx, timeout)
	results := make([]Result, len(checks))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := runOne(ctx, e, c, timeout)
			results[i] = r
			if progress != nil {
				mu.Lock()
				progress(r)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	refine(results)
	rep := Report{Registry: e.Host(), OK: true, Checks: results, Causes: []string{}}
	for _, r := range results {
		if r.Status == Fail {
			rep.OK = false
			if r.Cause != "" && !slices.Contains(rep.Causes, r.Cause) {
				rep.Causes = append(rep.Causes, r.Cause)
			}
		}
	}
	return rep
}

// runOne runs a check under its deadline; a check that overruns is reported as a timeout, not waited for.
func runOne(ctx context.Context, e *Env, c Check, timeout time.Duration) Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	done := make(chan Result, 1)
	go func() { done <- c.Run(ctx, e) }()
	var r Result
	select {
	case r = <-done:
	case <-ctx.Done():
		r = e.fail(cause.NetworkTimeout, "no answer within "+timeout.String(), "the check did not finish before --timeout")
	}
	r.ID = c.ID
	r.Summary, r.Detail = cause.Redact(r.Summary), cause.Redact(r.Detail) // upstream errors may quote a token
	r.MS = time.Since(start).Milliseconds()
	return r
}

// refine replaces a generic cause with the precise one another check confirmed, so the report names one
// cause and one fix for one problem.
func refine(results []Result) {
	confirmed := map[string]Result{}
	for _, r := range results {
		if r.Status == Fail && r.Cause != "" {
			confirmed[r.Cause] = r
		}
	}
	for i, r := range results {
		for _, precise := range cause.RefinedByAzure[r.Cause] {
			if by, ok := confirmed[precise]; ok {
				results[i].Cause, results[i].Fix = by.Cause, by.Fix
				results[i].Detail = strings.TrimPrefix(results[i].Detail+"; confirmed from Azure by the "+by.ID+" check", "; ")
				break
			}
		}
	}
}
