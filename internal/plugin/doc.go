// Package plugin is the `docker acrcheck` CLI plugin: the plugin protocol (metadata, the hook), the
// offline commands (explain, last, setup) and the hand-over of the diagnosis, token and logs commands to
// the acrdiag engine. It links no network client code.
package plugin
