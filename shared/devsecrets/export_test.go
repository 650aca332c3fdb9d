package devsecrets

// LocalFile is the Local store's file name inside its directory.
const LocalFile = localFile

// SetPath points the store at another file (to make its writes fail).
func (l *Local) SetPath(path string) { l.path = path }
