//go:build windows

// wintrust adds a CA certificate (PEM) to the current user's Root store, so that the Windows binaries
// under test trust the kit: Go on Windows verifies with the system store and ignores SSL_CERT_FILE.
// Built and run by TestWindowsBinaries under wine; never on a real machine.
package main

import (
	"encoding/pem"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

func main() {
	if err := trust(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "wintrust:", err)
		os.Exit(1)
	}
}

func trust(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return fmt.Errorf("%s holds no PEM certificate", path)
	}
	name, _ := windows.UTF16PtrFromString("ROOT")
	store, err := windows.CertOpenStore(windows.CERT_STORE_PROV_SYSTEM, 0, 0, windows.CERT_SYSTEM_STORE_CURRENT_USER, uintptr(unsafe.Pointer(name)))
	if err != nil {
		return fmt.Errorf("open the Root store: %w", err)
	}
	defer func() { _ = windows.CertCloseStore(store, 0) }()
	add := windows.NewLazySystemDLL("crypt32.dll").NewProc("CertAddEncodedCertificateToStore")
	if ok, _, err := add.Call(uintptr(store), windows.X509_ASN_ENCODING|windows.PKCS_7_ASN_ENCODING,
		uintptr(unsafe.Pointer(&block.Bytes[0])), uintptr(len(block.Bytes)), windows.CERT_STORE_ADD_REPLACE_EXISTING, 0); ok == 0 {
		return fmt.Errorf("add the certificate: %w", err)
	}
	return nil
}
