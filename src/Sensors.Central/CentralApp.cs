using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sensors.Central;

/// <summary>
/// How the central web applications (the portal, the console) start, one way for both: settings
/// from appsettings.json beside the executable, then the file given with <c>--config</c>, then
/// environment variables with the application's prefix, then the command line; bound to their
/// section and checked, each problem one line; the log one line per event, UTC.
/// </summary>
public static class CentralApp
{
    /// <summary>The builder and the application's settings, or the settings' problems (one line each).</summary>
    public static (WebApplicationBuilder? Builder, T? Options, IReadOnlyList<string> Errors) Create<T>(string[] args, string section, string environmentPrefix, Func<T, IReadOnlyList<string>> validate)
        where T : class, new()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables(environmentPrefix);
        var index = Array.IndexOf(args, "--config");
        if (index >= 0 && index + 1 < args.Length)
        {
            var path = args[index + 1];
            if (!File.Exists(path))
            {
                return (null, null, [$"--config {path}: no such file."]);
            }

            builder.Configuration.AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false);
        }

        var options = new T();
        try
        {
            builder.Configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException error)
        {
            return (null, null, [$"{section} settings: {error.Message}"]);
        }

        var errors = validate(options);
        if (errors.Count > 0)
        {
            return (null, null, errors);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        return (builder, options, []);
    }

    /// <summary>Where a started application listens (the first address), e.g. http://127.0.0.1:41234/.</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
}
