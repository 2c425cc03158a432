package explain

import (
	"strings"
	"testing"
)

// TestEarlierFailure: a text that only reports that an earlier step failed sends the user to that step's
// own message; a text that holds the message too is explained from it.
func TestEarlierFailure(t *testing.T) {
	for _, tt := range []struct{ name, text, want string }{
		{"a kubelet back-off", `Normal  BackOff  32s  kubelet  Back-off pulling image "contoso.azurecr.io/app:1"`, "kubectl describe pod"},
		{"a pod's status", "web-0   0/1   ImagePullBackOff   0   2m", "kubectl describe pod"},
		{"a CI step's exit code", "Error: Process completed with exit code 1.", "the step's log lines above"},
		{"an Azure Pipelines task", "##[error]The process '/usr/bin/docker' failed with exit code 1", "the task's log lines above"},
		{"an ARM deployment", "At least one resource deployment operation failed. Please list deployment operations for details.", "az deployment operation group list"},
		{"a back-off after its reason", "Failed to pull image \"contoso.azurecr.io/app:1\": rpc error: code = NotFound desc = failed to pull and unpack image: not found\nBack-off pulling image \"contoso.azurecr.io/app:1\"", ""},
		{"a CI log that holds the error", "Run docker push contoso.azurecr.io/app:1\nunauthorized: authentication required\nError: Process completed with exit code 1.", ""},
		{"an ordinary failure", `Get "https://contoso.azurecr.io/v2/": dial tcp: lookup contoso.azurecr.io: no such host`, ""},
	} {
		e := Explain(tt.text, nil)
		var out strings.Builder
		if err := e.WriteText(&out, 0); err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.want == "" && e.Earlier != "":
			t.Errorf("%s: sent to an earlier step (%q), want it explained from its own words", tt.name, e.Earlier)
		case tt.want != "" && (!strings.Contains(e.Earlier, tt.want) || !strings.Contains(out.String(), tt.want) || !strings.Contains(out.String(), "docker acrcheck explain")):
			t.Errorf("%s: want %q and the command to explain that message, got:\n%s", tt.name, tt.want, out.String())
		}
	}
}
