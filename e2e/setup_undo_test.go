package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestSetupUndoAfterTwoSetups: `setup A; setup B; setup --undo` through the real plugin gives back the
// config.json before the first setup, byte for byte; and after a real `docker login` between the setups
// and the undo, undo takes back acrdiag's entries only and keeps that login.
func TestSetupUndoAfterTwoSetups(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.installPlugin()
	orig := `{"auths":{"ghcr.io":{"auth":"Ym9iOnB3"}},"credHelpers":{"gcr.io":"gcloud"},"psFormat":"table {{.Names}}"}`
	s.writeDockerConfig(orig)
	s.mustRun("", docker, "acrcheck", "setup", "corpreg.azurecr.io")
	s.mustRun("", docker, "acrcheck", "setup", "otherreg.azurecr.io")
	s.mustRun("", docker, "acrcheck", "setup", "--undo")
	if got := s.readDockerConfig(); got != orig {
		t.Errorf("setup A; setup B; undo:\n%s\nwant:\n%s", got, orig)
	}

	s.mustRun("", docker, "acrcheck", "setup", "corpreg.azurecr.io")
	s.mustRun("", docker, "acrcheck", "setup", "otherreg.azurecr.io")
	// A registry acrdiag does not answer for: docker login writes its credentials into config.json itself.
	s.useIdentity("aks-workload")
	r := s.mustRun("", docker, "acrcheck", "token", "myregistry.azurecr.io", "--format", "json")
	var tok struct{ LoginServer, Username, Token string }
	if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token: %v %s", err, r.stdout)
	}
	if r := s.mustRun(tok.Token, docker, "login", tok.LoginServer, "-u", tok.Username, "--password-stdin"); !strings.Contains(r.stdout, "Login Succeeded") {
		t.Fatalf("docker login: %s", r)
	}
	s.mustRun("", docker, "acrcheck", "setup", "--undo")
	var got struct {
		Auths       map[string]json.RawMessage `json:"auths"`
		CredHelpers map[string]string          `json:"credHelpers"`
		Features    map[string]string          `json:"features"`
		Plugins     map[string]json.RawMessage `json:"plugins"`
		PsFormat    string                     `json:"psFormat"`
	}
	cfg := s.readDockerConfig()
	if err := json.Unmarshal([]byte(cfg), &got); err != nil {
		t.Fatal(err)
	}
	if got.Auths["myregistry.azurecr.io"] == nil || got.Auths["ghcr.io"] == nil || len(got.CredHelpers) != 1 || got.CredHelpers["gcr.io"] != "gcloud" ||
		got.Features["hooks"] != "" || got.Plugins["acrcheck"] != nil || got.PsFormat != "table {{.Names}}" {
		t.Errorf("undo after a docker login lost it, or kept acrdiag's entries:\n%s", cfg)
	}
}
