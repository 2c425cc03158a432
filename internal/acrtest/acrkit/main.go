// Command acrkit runs the acrtest kit in the foreground for the demo and for manual exploration:
//
//	acrkit -dir /tmp/kit -registry myregistry=healthy -registry corp=firewall -reader dev-user
//	acrkit -dir /tmp/kit -registry norole=no-role -config-reader ci-sp   # az finds it, and may not pull
//
// It writes <dir>/env.sh (the proxy and CA variables to source), <dir>/identity-<name>.env for each
// identity, and logs every request to <dir>/requests.jsonl (JSON lines) and <dir>/requests.txt, until
// SIGINT or SIGTERM.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

type registryFlags []acrtest.Registry

func (r *registryFlags) String() string { return fmt.Sprint(*r) }

func (r *registryFlags) Set(v string) error {
	name, scenario, _ := strings.Cut(v, "=")
	if scenario == "" {
		scenario = string(acrtest.Healthy)
	}
	for _, s := range acrtest.Scenarios {
		if string(s) == scenario {
			*r = append(*r, acrtest.Registry{Name: name, Scenario: s, DataEndpoint: true})
			return nil
		}
	}
	return fmt.Errorf("unknown scenario %q (known: %v)", scenario, acrtest.Scenarios)
}

// readerFlags are identities that hold the Reader role on every registry's resource group.
type readerFlags []string

func (r *readerFlags) String() string { return strings.Join(*r, ",") }

func (r *readerFlags) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	var regs registryFlags
	var readers, configReaders readerFlags
	dir := flag.String("dir", "", "directory for the kit's files (required)")
	seed := flag.String("seed", "hello:1", "repository:tag to put in every registry (empty: none)")
	flag.Var(&regs, "registry", "NAME[=SCENARIO] to serve as NAME.azurecr.io (repeatable; default: the demo set)")
	flag.Var(&readers, "reader", "identity NAME that may read every registry in the fake Azure Resource Manager (repeatable)")
	flag.Var(&configReaders, "config-reader", "identity NAME that may read every registry's configuration in ARM but not its content (repeatable)")
	flag.Parse()
	if len(regs) == 0 {
		regs = acrtest.DefaultRegistries()
	}
	for i := range regs {
		regs[i].ARM.LoginEvents = true // every registry sends its login events to Log Analytics
		grant := func(names []string, role acrtest.Role) {
			for _, name := range names {
				if regs[i].ARM.Roles == nil {
					regs[i].ARM.Roles = map[string][]acrtest.Role{}
				}
				regs[i].ARM.Roles[name] = append(regs[i].ARM.Roles[name], role)
			}
		}
		grant(readers, acrtest.RoleReader)
		grant(configReaders, acrtest.RoleConfigReader)
	}
	if err := run(*dir, regs, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "acrkit:", err)
		os.Exit(1)
	}
}

func run(dir string, regs registryFlags, seed string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(dir, "requests.jsonl"))
	if err != nil {
		return err
	}
	defer func() { _ = logFile.Close() }()
	textLog, err := os.Create(filepath.Join(dir, "requests.txt"))
	if err != nil {
		return err
	}
	defer func() { _ = textLog.Close() }()
	kit, err := acrtest.New(acrtest.Options{Dir: dir, Registries: regs, Log: logFile, LogText: textLog})
	if err != nil {
		return err
	}
	defer kit.Close()
	var names []string
	for _, r := range regs {
		names = append(names, r.Name)
	}
	for _, n := range names {
		if seed != "" {
			if _, err := kit.Seed(n, seed); err != nil {
				return err
			}
		}
	}
	var env strings.Builder
	for _, kv := range append(kit.Env(), "ACRKIT_AZ_DIR="+kit.AzDir) {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&env, "export %s=%q\n", k, v)
	}
	for _, id := range acrtest.DefaultIdentities() {
		var b strings.Builder
		for _, kv := range kit.IdentityEnv(id.Name) {
			k, v, _ := strings.Cut(kv, "=")
			fmt.Fprintf(&b, "export %s=%q\n", k, v)
		}
		if err := os.WriteFile(filepath.Join(dir, "identity-"+id.Name+".env"), []byte(b.String()), 0o600); err != nil {
			return err
		}
	}
	// IdentityEnv signed dev-user in to the fake az, as a developer machine would be.
	// env.sh is written last: its presence tells the demo that the kit is ready.
	if err := os.WriteFile(filepath.Join(dir, "env.sh"), []byte(env.String()), 0o600); err != nil {
		return err
	}
	fmt.Printf("acrkit: serving %s through %s (CA bundle %s)\n", strings.Join(names, ", "), kit.ProxyURL, kit.BundlePath)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	return nil
}
