package engineproc

import "time"

// RenewCommand is the hidden acrdiag command that renews a token for the credential helper:
// `acrdiag renew HOST`. It prints one RenewResult as JSON.
const RenewCommand = "renew"

// RenewResult is the renewer's answer: a refresh token, or the cause of the failure.
type RenewResult struct {
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresOn    time.Time `json:"expires_on,omitzero"`
	Principal    string    `json:"principal,omitempty"` // who the token is for (UPN, object id), for messages
	Audience     string    `json:"audience,omitempty"`  // the Entra scope that worked
	ARMFallback  bool      `json:"arm_fallback,omitempty"`

	Cause         string `json:"cause,omitempty"`  // a catalogue id when renewal failed
	Detail        string `json:"detail,omitempty"` // one line: what happened
	AnonymousPull bool   `json:"anonymous_pull,omitempty"`
}
