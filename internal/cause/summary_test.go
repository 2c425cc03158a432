package cause

import "testing"

func TestSummarizePicksTheTellingPart(t *testing.T) {
	msg := "ClientSecretCredential: authentication failed\nPOST https://login.microsoftonline.com/t/oauth2/v2.0/token\n--------\nRESPONSE 401\n{\"error_description\":\"AADSTS7000215: Invalid client secret provided. Ensure the secret...\"}"
	if got := Summarize(msg); got != "AADSTS7000215: Invalid client secret provided" {
		t.Errorf("Summarize = %q", got)
	}
	if got := Summarize("AzureCLICredential: ERROR: Please run 'az login' to setup account.\nTo troubleshoot..."); got != "ERROR: Please run 'az login' to setup account" {
		t.Errorf("Summarize = %q", got)
	}
}
