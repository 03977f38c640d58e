using System.Net;
using System.Text.Json;

namespace Sensors.Influx;

/// <summary>What an answer from InfluxDB's write endpoint means for the points we sent.</summary>
public enum AnswerKind
{
    /// <summary>2xx: every point is stored.</summary>
    Delivered,

    /// <summary>400 (and v2's 422): some or all points were refused; split to find them.</summary>
    Rejected,

    /// <summary>413: the body is too large; split and send the halves.</summary>
    TooLarge,

    /// <summary>401/403: credentials are wrong. Retrying soon will not help; a human must act.</summary>
    Unauthorized,

    /// <summary>404: the database (v1) or bucket (v2) does not exist.</summary>
    NotFound,

    /// <summary>429/503: the server asks us to slow down, maybe with Retry-After.</summary>
    Throttled,

    /// <summary>Other 5xx, a timeout or a network error: try again later.</summary>
    Unavailable,

    /// <summary>Another 4xx (405, 411…): most likely a wrong URL or a proxy in the way; the points are kept.</summary>
    Misconfigured,
}

/// <summary>An answer classified: its kind, the server's own reason, and how long it asked us to wait.</summary>
public readonly record struct InfluxAnswer(AnswerKind Kind, int StatusCode, string Reason, TimeSpan? RetryAfter = null)
{
    /// <summary>
    /// Classifies a write answer. Pure: status, body text and Retry-After in, meaning out.
    /// The reason is the server's <c>error</c> (v1) or <c>message</c> (v2) when the body is JSON.
    /// </summary>
    public static InfluxAnswer Classify(int statusCode, string? body, TimeSpan? retryAfter)
    {
        var reason = ReasonFrom(body, statusCode);
        var kind = statusCode switch
        {
            >= 200 and < 300 => AnswerKind.Delivered,
            400 or 422 => AnswerKind.Rejected,
            401 or 403 => AnswerKind.Unauthorized,
            404 => AnswerKind.NotFound,
            413 => AnswerKind.TooLarge,
            429 or 503 => AnswerKind.Throttled,
            >= 500 => AnswerKind.Unavailable,
            _ => AnswerKind.Misconfigured,
        };
        return new InfluxAnswer(kind, statusCode, reason, retryAfter);
    }

    /// <summary>A network error or timeout: no answer at all.</summary>
    public static InfluxAnswer NoAnswer(string reason) => new(AnswerKind.Unavailable, 0, reason);

    /// <summary>Retry-After as seconds or as an HTTP date, relative to <paramref name="now"/>.</summary>
    public static TimeSpan? RetryAfterFrom(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static string ReasonFrom(string? body, int statusCode)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return statusCode == 0 ? "no answer" : $"HTTP {statusCode} {(HttpStatusCode)statusCode}";
        }

        var trimmed = body.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(trimmed);
                foreach (var name in (ReadOnlySpan<string>)["error", "message"])
                {
                    if (json.RootElement.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        return Shorten(text.GetString()!);
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to the raw text.
            }
        }

        return Shorten(trimmed);
    }

    private static string Shorten(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= 500 ? oneLine : oneLine[..500] + "…";
    }
}
