using Sensors.Journal;
using Sensors.Testing;

namespace Sensors.Journal.Tests;

/// <summary>A folder's entries are synced for real (File.OpenHandle refuses a folder: the old way never synced one).</summary>
public sealed class DirectorySyncTests
{
    [Fact]
    public void A_real_folder_is_synced()
    {
        using var folder = new TempFolder("dirsync");
        File.WriteAllText(folder.File("new.seg"), "x");
        DirectorySync.Flush(folder.Path); // throws if the folder cannot be opened or synced
    }

    [Fact]
    public void A_missing_folder_says_which_and_why()
    {
        using var folder = new TempFolder("dirsync");
        var missing = Path.Combine(folder.Path, "gone");
        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }
}
