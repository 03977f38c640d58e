using System.Security.Cryptography;
using System.Text;

namespace Sensors.Portal.OpenData;

/// <summary>
/// Finished downloads of settled periods kept as files (Portal:Downloads:CacheDirectory), so that
/// the second download of last year is a file the server sends. A file is written under a
/// temporary name while it streams to its first client and renamed only once complete; a client
/// that goes away, or a database that fails midway, leaves nothing. Past MaxBytes the files least
/// recently sent are removed first.
/// </summary>
public sealed class DownloadCache(DownloadOptions options, ILogger<DownloadCache> log)
{
    private readonly object _trim = new();

    public bool Enabled => options.CacheDirectory.Length > 0;

    /// <summary>A period is cached once it ended <see cref="DownloadOptions.SettledAfterDays"/> days ago and spans <see cref="DownloadOptions.CacheFromDays"/> days or more.</summary>
    public bool Caches(DateOnly from, DateOnly to, DateOnly today) =>
        Enabled && to.DayNumber - from.DayNumber + 1 >= options.CacheFromDays && today.DayNumber - to.DayNumber >= options.SettledAfterDays;

    /// <summary>The file of a complete download, or null.</summary>
    public FileInfo? Find(string name)
    {
        var file = new FileInfo(Path.Combine(options.CacheDirectory, name));
        if (!file.Exists)
        {
            return null;
        }

        try
        {
            File.SetLastAccessTimeUtc(file.FullName, DateTime.UtcNow); // the least recently sent go first
        }
        catch (IOException)
        {
        }

        return file;
    }

    /// <summary>A temporary file to write the download into while it streams; <see cref="Keep"/> or <see cref="Drop"/> it.</summary>
    public FileStream? Begin(string name)
    {
        try
        {
            Directory.CreateDirectory(options.CacheDirectory);
            var temp = Path.Combine(options.CacheDirectory, $".{name}.{Guid.NewGuid():N}.part");
            return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("Download cache: cannot write in {Directory} ({Reason}); downloads are served without it. Check Portal:Downloads:CacheDirectory and its owner.", options.CacheDirectory, error.Message);
            return null;
        }
    }

    public async Task KeepAsync(FileStream file, string name)
    {
        var temp = file.Name;
        await file.DisposeAsync();
        try
        {
            File.Move(temp, Path.Combine(options.CacheDirectory, name), overwrite: true);
            Trim();
        }
        catch (IOException error)
        {
            log.LogWarning("Download cache: cannot keep {Name} ({Reason}).", name, error.Message);
            Delete(temp);
        }
    }

    public async Task DropAsync(FileStream file)
    {
        var temp = file.Name;
        await file.DisposeAsync();
        Delete(temp);
    }

    /// <summary>The file's name for a download: readable, and a hash of everything that changes its bytes.</summary>
    public static string Name(string dataset, string format, DateOnly from, DateOnly to, string variant)
    {
        var tag = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(variant)))[..12].ToLowerInvariant();
        return $"{dataset}_{from:yyyy-MM-dd}_{to:yyyy-MM-dd}_{tag}.{format}";
    }

    /// <summary>An entity tag for a cached file: its name, length and time.</summary>
    public static string Tag(FileInfo file) =>
        "\"" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{file.Name}|{file.Length}|{file.LastWriteTimeUtc.Ticks}")))[..20].ToLowerInvariant() + "\"";

    private void Trim()
    {
        lock (_trim)
        {
            var files = new DirectoryInfo(options.CacheDirectory).GetFiles().Where(f => !f.Name.StartsWith('.')).OrderByDescending(f => f.LastAccessTimeUtc).ToList();
            long total = 0;
            foreach (var file in files)
            {
                total += file.Length;
                if (total > options.CacheMaxBytes)
                {
                    log.LogInformation("Download cache: removed {Name} ({Bytes} bytes), the cache is over Portal:Downloads:CacheMaxBytes.", file.Name, file.Length);
                    Delete(file.FullName);
                }
            }
        }
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
