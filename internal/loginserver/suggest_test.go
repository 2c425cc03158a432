package loginserver

import "testing"

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"MyRegistry":                     "myregistry.azurecr.io",
		"https://myregistry/":            "myregistry.azurecr.io",
		"myregistry.azurecr.com":         "myregistry.azurecr.io",
		"myregistry.azureacr.io":         "myregistry.azurecr.io",
		"myregistry.azurecr.cm":          "myregistry.azurecr.cn",
		"ghcr.io":                        "",
		"abc":                            "",
		"myregistry.example.com/app:1.2": "",
		"navdocker.az-azurecr.io":        "navdocker.azurecr.io",
		"myregistry.azurecr.io":          "",
	} {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
