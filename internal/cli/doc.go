// Package cli is what the plugin and the engine share on the command line: the streams and exit statuses,
// the diagnosis's flags, and the explain command. It sits below both, so that neither imports the other.
package cli
