// The gateway runs on Linux (a Raspberry Pi); its tests use Linux file modes, /proc and systemd.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
