package keylock

import "golang.org/x/sys/unix"

// setLock takes or releases an open-file-description lock (Linux 3.15):
// it belongs to the Locker's descriptor, not to the process, so closing
// another descriptor of the file does not drop it, and it conflicts with
// the locks of every other open of the file.
const setLock = unix.F_OFD_SETLK
