package kubelet

import "testing"

func TestMatchImageFollowsTheKubeletsGlobs(t *testing.T) {
	tests := []struct {
		pattern, image string
		want           bool
	}{
		{"*.azurecr.io", "myreg.azurecr.io/team/app:1.2", true},
		{"*.azurecr.io", "myreg.azurecr.io", true},
		{"*.azurecr.io", "azurecr.io/app", false},                       // one label fewer
		{"*.azurecr.io", "myreg.eastus.geo.azurecr.io/app", false},      // a * never spans a dot
		{"*.*.*.azurecr.io", "myreg.eastus.geo.azurecr.io/app", true},   // one glob per label
		{"*.azurecr.io", "myreg.azurecr.io.evil.example/app", false},    // label count again
		{"*.azurecr.*", "myreg.azurecr.cn/app", true},                   // a glob as the top-level domain
		{"my*.azurecr.io", "myreg.azurecr.io/app", true},                // a partial label
		{"my*.azurecr.io", "yourreg.azurecr.io/app", false},             //
		{"*.azurecr.io", "myreg.azurecr.io:443/app", false},             // the image has a port, the pattern none
		{"*.azurecr.io:443", "myreg.azurecr.io:443/app", true},          //
		{"*.azurecr.io:443", "myreg.azurecr.io/app", false},             // the pattern has a port, the image none
		{"*.azurecr.io:5000", "myreg.azurecr.io:443/app", false},        //
		{"myreg.azurecr.io/team", "myreg.azurecr.io/team/app:1", true},  // path prefix
		{"myreg.azurecr.io/team", "myreg.azurecr.io/teams/app:1", true}, // a string prefix, as the kubelet compares
		{"myreg.azurecr.io/team", "myreg.azurecr.io/other/app:1", false},
		{"myreg.azurecr.io/team", "myreg.azurecr.io", false},
		{"*.AZURECR.io", "myreg.azurecr.io/app", false}, // case-sensitive, as filepath.Match is
		{"[.azurecr.io", "myreg.azurecr.io/app", false}, // a malformed glob matches nothing
		{"*", "localhost/app", true},
		{"*", "myreg.azurecr.io/app", false},
	}
	for _, tt := range tests {
		if got := MatchImage(tt.pattern, tt.image); got != tt.want {
			t.Errorf("MatchImage(%q, %q) = %v, want %v", tt.pattern, tt.image, got, tt.want)
		}
	}
}

func TestImageHostIsTheKeyThatMatchesTheImage(t *testing.T) {
	for _, image := range []string{"myreg.azurecr.io/team/app:1.2", "myreg.azurecr.io:443/app@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "myreg.azurecr.io/app"} {
		key := ImageHost(image)
		if key == "" || !MatchImage(key, image) {
			t.Errorf("ImageHost(%q) = %q, which does not match the image", image, key)
		}
	}
	if got := ImageHost("myreg.azurecr.io:443/app"); got != "myreg.azurecr.io:443" {
		t.Errorf("ImageHost kept %q, want the port too", got)
	}
}
