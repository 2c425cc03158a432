// Package testfs is what tests need from the file system on every platform they run on: a temporary
// directory that is cleaned up even where removing a tree fails (wine, which runs the Windows tests here,
// lacks the delete call os.RemoveAll uses), links that skip the test where the platform cannot make them
// (Windows without developer mode, wine), and permission checks only where files have Unix modes. Tests
// only: no binary imports it.
package testfs
