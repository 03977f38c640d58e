using System.Text.Json;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Deploy;

/// <summary>
/// The Raspberry Pi artifact (deploy/publish-pi): the gateway for linux-arm64, self-contained, run
/// here under Debian's qemu-user-static with the arm64 C library (scripts/test installs both):
/// its version, a configuration check, the example school's emulated sensors for a while; then
/// installed into a scratch root, where it needs no /usr/bin/dotnet.
/// </summary>
public sealed class PiArtifactTests : IDisposable
{
    private const string Qemu = "/usr/bin/qemu-aarch64-static";
    private readonly TempFolder _folder = new("pi-artifact");

    [Fact]
    public async Task TheArm64Artifact_RunsUnderQemu_ChecksItsSettings_ReadsTheEmulatedSchool_AndInstallsWithoutDotnet()
    {
        Assert.True(File.Exists(Qemu), $"{Qemu} is missing: scripts/test installs qemu-user-static and the arm64 C library (libc6:arm64)");
        var (built, output) = Shell.Run("bash", RepoPaths.Of("deploy/publish-pi"), _folder.File("out"));
        Assert.True(built == 0, output);
        var tarball = Assert.Single(Directory.GetFiles(_folder.File("out"), "sensors-*-linux-arm64.tar.gz"));
        Assert.InRange(new FileInfo(tarball).Length, 10L << 20, 80L << 20); // about 35 MB: the runtime comes with it
        Assert.Equal(0, Shell.Run("tar", "-C", _folder.Path, "-xzf", tarball).Code);
        var artifact = Directory.GetDirectories(_folder.Path, "sensors-*-linux-arm64").Single();
        var sensors = Path.Combine(artifact, "bin", "sensors");

        var version = Shell.Run(Qemu, sensors, "--version");
        Assert.True(version.Code == 0, version.Output);
        Assert.StartsWith("1.0.0", version.Output.Trim(), StringComparison.Ordinal);

        var statusPort = FreePort.Next();
        var config = _folder.File("gateway.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            Gateway = new { Id = "gw-pi" },
            Site = new { File = Path.Combine(artifact, "firmware-config", "sites", "ecole-jules-ferry.yaml") },
            Journal = new { Directory = _folder.File("journal") },
            Hardware = new { Enabled = true, Emulate = true },
            Clock = new { Source = "Assume" },
            Http = new { Port = statusPort },
        }));
        var check = Shell.Run(Qemu, sensors, "config", "check", "--config", config);
        Assert.True(check.Code == 0, check.Output);

        using (var gateway = new ServerProcess("sensors (arm64, qemu)", Qemu, sensors, "run", "--config", config))
        {
            gateway.Environment["DOTNET_gcServer"] = "0";
            gateway.Start();
            gateway.WaitForOutput("started at i2c-1", TimeSpan.FromSeconds(180));
            gateway.WaitForPort(statusPort, TimeSpan.FromSeconds(60));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal("ok\n", await http.GetStringAsync(new Uri($"http://127.0.0.1:{statusPort}/healthz")));
            gateway.Stop();
            Assert.Equal(0, gateway.ExitCode);
        }

        // Installed into a scratch root: its own executable, no .NET runtime asked for.
        var root = _folder.File("root");
        var (installed, said) = Shell.Run("bash", Path.Combine(artifact, "deploy", "install.sh"), "--root", root);
        Assert.True(installed == 0, said);
        Assert.Contains("exec /opt/sensors/sensors \"$@\"", File.ReadAllText(Path.Combine(root, "usr/local/bin/sensors")), StringComparison.Ordinal);
        Assert.Contains("ExecStart=/opt/sensors/sensors run --config /etc/sensors/gateway.json", File.ReadAllText(Path.Combine(root, "etc/systemd/system/sensors.service.d/self-contained.conf")), StringComparison.Ordinal);
        Assert.True(File.GetUnixFileMode(Path.Combine(root, "opt/sensors/sensors")).HasFlag(UnixFileMode.UserExecute));
        Assert.True(File.Exists(Path.Combine(root, "etc/sensors/sites/examples/ecole-jules-ferry.yaml")));
    }

    public void Dispose() => _folder.Dispose();
}
