package app

// Version is the harness version, recorded in every result file. Release
// builds set it with -ldflags "-X .../internal/app.Version=v1.2.3".
var Version = "v0.1.0-dev"
