// Package lastfailure keeps what the credential helper leaves for the plugin, because Docker throws most
// helper errors away: the record of why the helper failed (Add, Read, Last), which `docker acrcheck last`
// and the CLI hook read to explain a failure where it showed, and the registry the helper was last asked
// about (NoteActivity, RecentActivity), which tells the hook what a failed command was about when its
// error does not say.
package lastfailure
