using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Microsoft.Extensions.Logging.Console;

namespace Sensors.Gateway;

/// <summary>
/// One line per event, for an operator reading journalctl or a serial console at 3 a.m.:
/// <c>2026-11-24T17:47:02Z WARN  forwarder: InfluxDB at … unavailable (…); 120 readings wait …</c>.
/// UTC time, a fixed-width level, the short name of the part that speaks, the message; an
/// exception adds its type and message on the same line, never a stack trace. The time is the
/// host's <see cref="TimeProvider"/>, as everywhere else.
/// </summary>
public sealed class OperatorLogFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "operator";

    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(ShortName(logEntry.Category));
        textWriter.Write(": ");
        textWriter.Write(message?.ReplaceLineEndings(" "));
        if (logEntry.Exception is { } error)
        {
            textWriter.Write($" [{error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")}]");
        }

        textWriter.Write('\n');
    }

    /// <summary>"Sensors.Pipeline.ForwarderService" → "forwarder".</summary>
    public static string ShortName(string category)
    {
        var name = category[(category.LastIndexOf('.') + 1)..];
        foreach (var suffix in (ReadOnlySpan<string>)["Service", "Source"])
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
                break;
            }
        }

        return name.ToLowerInvariant();
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO ",
        LogLevel.Warning => "WARN ",
        LogLevel.Error => "ERROR",
        _ => "FATAL",
    };
}
