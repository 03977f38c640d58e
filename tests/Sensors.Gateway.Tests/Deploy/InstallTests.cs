using System.Text.Json;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Deploy;

/// <summary>
/// deploy/: the unit through systemd-analyze verify, the scripts through shellcheck, and the
/// install script run for real into a scratch root (with a copy of this machine's user
/// database, so that the service user is created there): files, user, groups, enablement,
/// idempotence, the operator's settings kept, uninstall keeping the data unless --purge.
/// </summary>
public sealed class InstallTests : IDisposable
{
    private readonly TempFolder _root = new("scratch-root");

    private static string Gateway => RepoPaths.Of("src/Sensors.Gateway/bin/Release/net10.0");

    private (int Code, string Output) Install() => Shell.Run("bash", RepoPaths.Of("deploy/install.sh"), "--root", _root.Path, "--bin", Gateway);

    [Theory]
    [InlineData("deploy/systemd/sensors.service")]
    [InlineData("deploy/central/portal/sensors-portal.service")]
    public void Unit_PassesSystemdAnalyzeVerify(string unit)
    {
        var (code, output) = Shell.Run("systemd-analyze", "verify", RepoPaths.Of(unit));
        Assert.True(code == 0 && !output.Contains(Path.GetFileName(unit), StringComparison.Ordinal), output);
    }

    [Fact]
    public void Scripts_PassShellcheck()
    {
        var scripts = new[] { "deploy/install.sh", "deploy/uninstall.sh", "deploy/publish-pi", "deploy/central/mosquitto/add-account.sh", "scripts/test", "scripts/demo", "scripts/lib/common.sh", ".ci/run" }.Select(RepoPaths.Of).ToArray();
        var (code, output) = Shell.Run("bash", "-c", $"cd '{RepoPaths.Root}' && shellcheck -x {string.Join(' ', scripts.Select(s => $"'{s}'"))}");
        Assert.True(code == 0, output);
    }

    [Fact]
    public void Install_IntoAScratchRoot_IsComplete_Idempotent_AndKeepsTheOperatorsSettings()
    {
        Directory.CreateDirectory(_root.File("etc"));
        foreach (var file in new[] { "passwd", "group", "shadow", "gshadow" })
        {
            File.Copy($"/etc/{file}", _root.File($"etc/{file}"));
        }

        var (code, output) = Install();
        Assert.True(code == 0, output);
        Assert.Contains("created user sensors (groups i2c dialout gpio spi)", output, StringComparison.Ordinal);
        Assert.Matches("(?m)^sensors:x:\\d+:\\d+:Sensors gateway:/var/lib/sensors:/usr/sbin/nologin$", File.ReadAllText(_root.File("etc/passwd")));
        Assert.Matches("(?m)^i2c:x:\\d+:(.*,)?sensors(,.*)?$", File.ReadAllText(_root.File("etc/group")));
        foreach (var group in new[] { "dialout", "gpio", "spi" })
        {
            Assert.Matches($"(?m)^{group}:x:\\d+:(.*,)?sensors(,.*)?$", File.ReadAllText(_root.File("etc/group")));
        }
        Assert.True(File.Exists(_root.File("opt/sensors/sensors.dll")));
        Assert.Equal(File.ReadAllText(RepoPaths.Of("deploy/systemd/sensors.service")), File.ReadAllText(_root.File("etc/systemd/system/sensors.service")));
        Assert.Equal("/etc/systemd/system/sensors.service", new FileInfo(_root.File("etc/systemd/system/multi-user.target.wants/sensors.service")).LinkTarget);
        Assert.True(File.Exists(_root.File("etc/mosquitto/conf.d/sensors.conf")));
        Assert.True(File.Exists(_root.File("etc/sensors/sites/examples/ecole-jules-ferry.yaml")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(_root.File("etc/sensors/secrets")));

        // The installed settings are valid as they are: the gateway starts with them.
        var (checkCode, check) = Shell.Run("dotnet", "exec", _root.File("opt/sensors/sensors.dll"), "config", "check", "--config", _root.File("etc/sensors/gateway.json"));
        Assert.True(checkCode == 0, check);

        // A second run changes nothing, not even a file's time.
        var before = Snapshot();
        (code, output) = Install();
        Assert.True(code == 0, output);
        Assert.Contains("Nothing to change", output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());

        // A user made by a version without indicators (i2c and dialout only) gains gpio and spi.
        var groupFile = _root.File("etc/group");
        File.WriteAllLines(groupFile, File.ReadAllLines(groupFile).Select(l => l.StartsWith("gpio:", StringComparison.Ordinal) || l.StartsWith("spi:", StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(l, "(?<=:)sensors,?|,sensors(?=,|$)", string.Empty)
            : l));
        Assert.DoesNotMatch("(?m)^gpio:x:\\d+:(.*,)?sensors(,.*)?$", File.ReadAllText(groupFile));
        (code, output) = Install();
        Assert.True(code == 0, output);
        Assert.Contains("added user sensors to group gpio", output, StringComparison.Ordinal);
        Assert.Contains("added user sensors to group spi", output, StringComparison.Ordinal);
        Assert.Matches("(?m)^gpio:x:\\d+:(.*,)?sensors(,.*)?$", File.ReadAllText(groupFile));
        Assert.Matches("(?m)^spi:x:\\d+:(.*,)?sensors(,.*)?$", File.ReadAllText(groupFile));

        // The operator's edits survive an update.
        var settings = _root.File("etc/sensors/gateway.json");
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("\"Id\": \"\"", "\"Id\": \"gw-ecole-jules-ferry\"", StringComparison.Ordinal));
        (code, output) = Install();
        Assert.True(code == 0, output);
        Assert.Equal("gw-ecole-jules-ferry", JsonDocument.Parse(File.ReadAllText(settings)).RootElement.GetProperty("Gateway").GetProperty("Id").GetString());

        // Uninstall keeps the data and the settings; --purge removes them and the user.
        Directory.CreateDirectory(_root.File("var/lib/sensors/journal"));
        File.WriteAllText(_root.File("var/lib/sensors/journal/00000000000000000000.seg"), "readings not yet in InfluxDB");
        (code, output) = Shell.Run("bash", RepoPaths.Of("deploy/uninstall.sh"), "--root", _root.Path);
        Assert.True(code == 0, output);
        Assert.False(Directory.Exists(_root.File("opt/sensors")));
        Assert.False(File.Exists(_root.File("etc/systemd/system/sensors.service")));
        Assert.True(File.Exists(_root.File("var/lib/sensors/journal/00000000000000000000.seg")));
        Assert.True(File.Exists(settings));
        Assert.Contains("may hold readings not yet in InfluxDB", output, StringComparison.Ordinal);

        (code, output) = Shell.Run("bash", RepoPaths.Of("deploy/uninstall.sh"), "--root", _root.Path, "--purge");
        Assert.True(code == 0, output);
        Assert.False(Directory.Exists(_root.File("var/lib/sensors")));
        Assert.False(Directory.Exists(_root.File("etc/sensors")));
        Assert.DoesNotMatch("(?m)^sensors:", File.ReadAllText(_root.File("etc/passwd")));
    }

    [Fact]
    public void EdgeMosquittoConf_IsAcceptedByMosquitto()
    {
        using var folder = new TempFolder("edge-mosquitto");
        var port = FreePort.Next();
        var conf = File.ReadAllText(RepoPaths.Of("deploy/etc/mosquitto/sensors.conf")).Replace("listener 1883 127.0.0.1", $"listener {port} 127.0.0.1", StringComparison.Ordinal);
        var path = folder.File("mosquitto.conf");
        File.WriteAllText(path, $"persistence true\npersistence_location {folder.Path}/\nuser {Environment.UserName}\n{conf}");
        using var broker = new ServerProcess("mosquitto", "mosquitto", "-c", path);
        broker.Start();
        broker.WaitForPort(port, TimeSpan.FromSeconds(10));
    }

    private string Snapshot() => string.Join('\n', Directory.EnumerateFileSystemEntries(_root.Path, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => $"{p} {(File.Exists(p) ? new FileInfo(p).Length : 0)} {File.GetLastWriteTimeUtc(p):O}"));

    public void Dispose() => _root.Dispose();
}
