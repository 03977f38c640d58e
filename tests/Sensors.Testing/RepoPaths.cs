namespace Sensors.Testing;

public static class RepoPaths
{
    /// <summary>The checkout's top folder: the one holding Sensors.sln.</summary>
    public static string Root { get; } = Find();

    public static string Of(string relative) => Path.Combine(Root, relative);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Sensors.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Sensors.sln above {AppContext.BaseDirectory}.");
    }
}
