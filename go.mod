module github.com/oauth2client/oauth2client

go 1.26.0

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/godbus/dbus/v5 v5.2.2
	github.com/gofrs/flock v0.13.2
	github.com/zalando/go-keyring v0.2.8
	golang.org/x/oauth2 v0.38.0
)

require (
	github.com/danieljoos/wincred v1.2.3 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
