using System.Diagnostics;
using System.Text;
using Sensors.Core;
using Sensors.Journal;
using Sensors.Testing;

namespace Sensors.Journal.Tests;

/// <summary>
/// A disk that fills up from outside: the journal on a real 512 KiB tmpfs. Needs root for the
/// mount (CI runs as root); as another user the test says so and does nothing.
/// </summary>
public sealed class JournalDiskFullTests : IDisposable
{
    private readonly TempFolder _folder = new("journal-full");
    private readonly bool _mounted;

    public JournalDiskFullTests()
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        using var mount = Process.Start("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", _folder.Path])!;
        mount.WaitForExit();
        _mounted = mount.ExitCode == 0;
    }

    [Fact]
    public async Task DiskFull_AppendFailsWithAClearError_NothingHalfWritten_AndWritesResumeWhenThereIsRoom()
    {
        if (!_mounted)
        {
            Console.WriteLine("JournalDiskFullTests: not root, no tmpfs to fill; run as root to exercise a full disk.");
            return;
        }

        var options = new JournalOptions { Directory = Path.Combine(_folder.Path, "journal"), SegmentBytes = 64 * 1024, MaxBytes = 64L << 20 };
        var accepted = new List<string>();
        IOException? full = null;
        await using (var journal = Journal.Open(options))
        {
            for (var i = 0; i < 20_000 && full is null; i++)
            {
                var line = $"air_quality,room=cm2-b co2_ppm={i} {1_790_000_000_000_000_000L + i}";
                try
                {
                    await journal.AppendAsync(Encoding.UTF8.GetBytes(line));
                    accepted.Add(line);
                }
                catch (IOException error)
                {
                    full = error;
                }
            }

            Assert.NotNull(full);
            Assert.Contains("Journal write failed in", full.Message);
            Assert.Equal(accepted.Count, journal.Stats.Pending);

            // Room again: InfluxDB took everything, the old segments go.
            var batch = new LineBatch(1_000_000, 64 << 20);
            journal.Acknowledge(journal.Lease(batch) + batch.Count);
            var after = $"air_quality,room=cm2-b co2_ppm=-1 {1_790_000_000_000_000_000L + 999_999}";
            await journal.AppendAsync(Encoding.UTF8.GetBytes(after));
            accepted.Clear();
            accepted.Add(after);
        }

        await using var reopened = Journal.Open(options);
        Assert.Equal(accepted, Journal.ReadPendingLines(options.Directory).Select(l => Encoding.UTF8.GetString(l)));
    }

    public void Dispose()
    {
        if (_mounted)
        {
            using var unmount = Process.Start("umount", [_folder.Path])!;
            unmount.WaitForExit();
        }

        _folder.Dispose();
    }
}
