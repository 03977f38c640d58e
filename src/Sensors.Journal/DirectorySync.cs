using System.Runtime.InteropServices;

namespace Sensors.Journal;

/// <summary>
/// Makes a folder's entries durable (a new segment's name, a renamed ledger): open(O_RDONLY) and
/// fsync, as .NET has no call for it (File.OpenHandle refuses a folder: the journal's earlier
/// attempt failed silently on every segment).
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000; // O_CLOEXEC, the same on x86-64, arm64 and arm

    /// <summary>Syncs <paramref name="path"/>'s entries; throws <see cref="IOException"/> saying why not.</summary>
    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // elsewhere (a developer's machine) a folder's entries follow its files
        }

        var fd = Open(path, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"Could not open the folder {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Could not sync the folder {path} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
