package acrtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// fakeAz answers `az account get-access-token` the way azidentity's AzureCLICredential reads it, from token
// files the kit writes when a user "signs in" (AzLogin). It records each call in az.log for the request log.
const fakeAz = `#!/bin/sh
# fake az written by acrdiag's test kit: answers only 'az account get-access-token'.
dir=$(dirname "$0")
printf '%s\t%s\t%s\n' "$(date +%s)" "$(cat "$dir/az-login" 2>/dev/null)" "$*" >> "$dir/az.log"
if [ -f "$dir/az-delay" ]; then sleep "$(cat "$dir/az-delay")"; fi
if [ "$1 $2" != "account get-access-token" ]; then
  echo "ERROR: the test kit's az answers only 'az account get-access-token'" >&2; exit 2
fi
resource=""
while [ $# -gt 0 ]; do
  case "$1" in
    --resource|--scope) resource="$2"; shift ;;
  esac
  shift
done
if [ ! -f "$dir/az-login" ]; then
  echo "ERROR: Please run 'az login' to setup account." >&2; exit 1
fi
case "$resource" in
  https://containerregistry.azure.net*) f=acr ;;
  https://management.core.windows.net*|https://management.azure.com*) f=arm ;;
  https://api.loganalytics.io*) f=logs ;;
  *) f=unknown ;;
esac
if [ -f "$dir/az-token-$f.err" ]; then cat "$dir/az-token-$f.err" >&2; exit 1; fi
if [ ! -f "$dir/az-token-$f.json" ]; then
  echo "ERROR: AADSTS500011: The resource principal named $resource was not found in the tenant." >&2; exit 1
fi
cat "$dir/az-token-$f.json"
`

// fakeAzd answers `azd auth token -o json --no-prompt --scope S` the way AzureDeveloperCLICredential reads it.
const fakeAzd = `#!/bin/sh
# fake azd written by acrdiag's test kit: answers only 'azd auth token'.
dir=$(dirname "$0")
printf '%s\t%s\t%s\n' "$(date +%s)" "$(cat "$dir/azd-login" 2>/dev/null)" "azd $*" >> "$dir/az.log"
if [ -f "$dir/az-delay" ]; then sleep "$(cat "$dir/az-delay")"; fi
if [ "$1 $2" != "auth token" ]; then echo "ERROR: the test kit's azd answers only 'azd auth token'" >&2; exit 2; fi
scope=""
while [ $# -gt 0 ]; do
  case "$1" in --scope) scope="$2"; shift ;; esac
  shift
done
if [ ! -f "$dir/azd-login" ]; then echo "ERROR: not logged in, run 'azd auth login' to login" >&2; exit 1; fi
case "$scope" in
  https://containerregistry.azure.net*) f=acr ;;
  https://management*) f=arm ;;
  https://api.loganalytics.io*) f=logs ;;
  *) echo "ERROR: AADSTS500011: The resource principal named $scope was not found in the tenant." >&2; exit 1 ;;
esac
if [ ! -f "$dir/azd-token-$f.json" ]; then echo "ERROR: AADSTS500011: The resource principal named $scope was not found in the tenant." >&2; exit 1; fi
cat "$dir/azd-token-$f.json"
`

func (k *Kit) writeFakeAz() error {
	k.AzDir = filepath.Join(k.Dir, "azbin")
	if err := os.MkdirAll(k.AzDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(k.AzDir, "azd"), []byte(fakeAzd), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(k.AzDir, "az"), []byte(fakeAz), 0o755)
}

// SetAzLatency makes the fake az (and azd) take d before each answer, as the real one does on a slow machine
// or network: the call is logged first, then it sleeps (a child process of its own). d <= 0 stops it.
func (k *Kit) SetAzLatency(d time.Duration) {
	path := filepath.Join(k.AzDir, "az-delay")
	if d <= 0 {
		_ = os.Remove(path)
		return
	}
	mustWrite(path, []byte(strconv.FormatFloat(d.Seconds(), 'f', 3, 64)+"\n"))
}

// AzdLogin signs the named user in to the fake Azure Developer CLI (azd).
func (k *Kit) AzdLogin(identity string) {
	id := k.identity(identity)
	if id == nil {
		panic("acrtest: unknown identity " + identity)
	}
	exp := time.Now().Add(time.Hour).UTC()
	for f, aud := range map[string]string{"acr": AudienceACR, "arm": AudienceARM, "logs": audienceLogs} {
		path := filepath.Join(k.AzDir, "azd-token-"+f+".json")
		_ = os.Remove(path)
		if aud == AudienceACR && id.NoACRAudience {
			continue
		}
		tok, err := k.mintEntraToken(id, aud, time.Hour)
		if err != nil {
			panic(err)
		}
		body, _ := json.Marshal(map[string]any{"token": tok, "expiresOn": exp.Format("2006-01-02T15:04:05Z")})
		mustWrite(path, body)
	}
	mustWrite(filepath.Join(k.AzDir, "azd-login"), []byte(id.Name+"\n"))
	mustWrite(filepath.Join(k.azdConfigDir(), "config.json"), []byte(`{"defaults":{"user":"`+id.Name+`"}}`))
}

func (k *Kit) azdConfigDir() string {
	dir := filepath.Join(k.Dir, "azd")
	_ = os.MkdirAll(dir, 0o700)
	return dir
}

// AzLogin signs the named user in to the fake az: `az account get-access-token` then answers with tokens
// for it, valid for an hour from now.
func (k *Kit) AzLogin(identity string) {
	id := k.identity(identity)
	if id == nil {
		panic("acrtest: unknown identity " + identity)
	}
	exp := time.Now().Add(time.Hour)
	for f, aud := range map[string]string{"acr": AudienceACR, "arm": AudienceARM, "logs": audienceLogs} {
		errPath := filepath.Join(k.AzDir, "az-token-"+f+".err")
		_ = os.Remove(errPath)
		if aud == AudienceACR && id.NoACRAudience {
			msg := "ERROR: AADSTS500011: The resource principal named https://containerregistry.azure.net was not found in the tenant named " + id.TenantID + ".\n"
			mustWrite(errPath, []byte(msg))
			continue
		}
		tok, err := k.mintEntraToken(id, aud, time.Until(exp))
		if err != nil {
			panic(err)
		}
		body, _ := json.Marshal(map[string]any{
			"accessToken": tok, "expiresOn": exp.Format("2006-01-02 15:04:05.000000"), "expires_on": exp.Unix(),
			"subscription": stableUUID("sub"), "tenant": id.TenantID, "tokenType": "Bearer",
		})
		mustWrite(filepath.Join(k.AzDir, "az-token-"+f+".json"), body)
	}
	mustWrite(filepath.Join(k.AzDir, "az-login"), []byte(id.Name+"\n"))
	// The real az keeps the signed-in account in azureProfile.json; clients key caches on it.
	profile, _ := json.Marshal(map[string]any{"subscriptions": []any{map[string]any{
		"id": stableUUID("sub"), "tenantId": id.TenantID, "user": map[string]any{"name": id.Name + "@contoso.example", "type": "user"}, "isDefault": true}}})
	mustWrite(filepath.Join(k.azureConfigDir(), "azureProfile.json"), profile)
}

// azureConfigDir is the fake az's AZURE_CONFIG_DIR.
func (k *Kit) azureConfigDir() string {
	dir := filepath.Join(k.Dir, "azure")
	_ = os.MkdirAll(dir, 0o700)
	return dir
}

// AzLogout signs the fake az out: it then fails the way az does without a login.
func (k *Kit) AzLogout() {
	for _, f := range []string{"az-login", "az-token-acr.json", "az-token-arm.json", "az-token-acr.err"} {
		_ = os.Remove(filepath.Join(k.AzDir, f))
	}
	_ = os.Remove(filepath.Join(k.azureConfigDir(), "azureProfile.json"))
}

// azCalls reads az.log into request entries.
func (k *Kit) azCalls() []Request {
	f, err := os.Open(filepath.Join(k.AzDir, "az.log"))
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	var out []Request
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) != 3 {
			continue
		}
		ts, user, args := parts[0], parts[1], parts[2]
		sec, _ := strconv.ParseInt(ts, 10, 64)
		r := Request{Time: time.Unix(sec, 0), Service: "az", Method: "exec", Path: "az " + args, Identity: user}
		fields := strings.Fields(args)
		for i, a := range fields {
			if (a == "--resource" || a == "--scope") && i+1 < len(fields) {
				r.Audience = fields[i+1]
			}
		}
		out = append(out, r)
	}
	return out
}

func mustWrite(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		panic(fmt.Sprintf("acrtest: %v", err))
	}
}
