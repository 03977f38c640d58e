using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Sensors.Operations.Fleet;

namespace Sensors.Operations.Alerts;

/// <summary>One alert as Alertmanager's v2 API takes it (POST /api/v2/alerts).</summary>
public sealed record Alert(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset EndsAt,
    [property: JsonPropertyName("generatorURL")] string GeneratorUrl)
{
    /// <summary>What makes two alerts the same alert: their labels.</summary>
    [JsonIgnore]
    public string Key => string.Join('\u001f', Labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

[JsonSerializable(typeof(List<Alert>))]
internal sealed partial class AlertJson : JsonSerializerContext;

/// <summary>
/// The alerts of a fleet, pure: one per problem of every row, labelled <c>alertname</c> and
/// <c>rule</c> (the rule), <c>service</c>, <c>site</c>, <c>device</c>, <c>severity</c>;
/// annotations in French and English with what to do and the link to the console's page.
/// </summary>
public static class AlertBuilder
{
    public static List<Alert> Firing(FleetSnapshot fleet, string baseUrl, TimeSpan every, IReadOnlyDictionary<string, DateTimeOffset> firstSeen)
    {
        var alerts = new List<Alert>();
        foreach (var row in fleet.All)
        {
            var (kindFr, path) = Pages.ConsolePages.Describe(row);
            foreach (var problem in row.Problems)
            {
                var labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["alertname"] = problem.Rule,
                    ["rule"] = problem.Rule,
                    ["service"] = row.Service,
                    ["site"] = row.Site,
                    ["device"] = row.Key,
                    ["severity"] = problem.Severity,
                };
                var link = baseUrl.TrimEnd('/') + path;
                var rule = Rules.All.First(r => r.Rule == problem.Rule);
                var alert = new Alert(
                    labels,
                    new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["summary"] = $"{rule.Fr} : {kindFr} {row.Key} ({row.Site}) – {problem.Fr}",
                        ["summary_en"] = $"{rule.En}: {row.Key} ({row.Site}) – {problem.En}",
                        ["description"] = problem.DoFr,
                        ["description_en"] = problem.DoEn,
                        ["link"] = link,
                    },
                    fleet.At,
                    fleet.At + (every * 4), // Alertmanager resolves it by itself if the console stops sending
                    link);
                alerts.Add(alert with { StartsAt = problem.Since ?? firstSeen.GetValueOrDefault(alert.Key, fleet.At) });
            }
        }

        return alerts;
    }
}

/// <summary>How the console's last posts to Alertmanager went: its own status page shows it.</summary>
public sealed record AlertStatus(int Firing, DateTimeOffset? LastSent, DateTimeOffset? FailingSince, string? LastError, int Pending);

/// <summary>
/// Posts firing alerts at each evaluation (Alertmanager wants them again within their endsAt) and
/// each resolved one once, with endsAt now. An Alertmanager that does not answer is retried with a
/// growing pause (5 s doubling to 5 minutes), the resolved alerts kept until they go through; the
/// console's status page says since when it fails. Without Console:Alertmanager:Url, alerts are
/// only shown.
/// </summary>
public sealed class AlertSender(HttpClient http, ConsoleOptions options, TimeProvider time, ILogger<AlertSender> log)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LastPause = TimeSpan.FromMinutes(5);
    private readonly object _gate = new();
    private Dictionary<string, Alert> _firing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Alert> _resolved = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastSent;
    private DateTimeOffset? _failingSince;
    private DateTimeOffset _nextTry = DateTimeOffset.MinValue;
    private int _failures;
    private string? _lastError;

    public AlertStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new AlertStatus(_firing.Count, _lastSent, _failingSince, _lastError, _resolved.Count);
            }
        }
    }

    public IReadOnlyList<Alert> Firing
    {
        get
        {
            lock (_gate)
            {
                return [.. _firing.Values];
            }
        }
    }

    public async Task EvaluateAsync(FleetSnapshot fleet, CancellationToken cancellation)
    {
        List<Alert> batch;
        lock (_gate)
        {
            var now = fleet.At;
            var firing = AlertBuilder.Firing(fleet, options.BaseUrl, options.Every, _firstSeen).ToDictionary(a => a.Key, StringComparer.Ordinal);
            foreach (var key in firing.Keys)
            {
                _firstSeen.TryAdd(key, now);
                _resolved.Remove(key);
            }

            foreach (var (key, alert) in _firing.Where(p => !firing.ContainsKey(p.Key)))
            {
                _resolved[key] = alert with { EndsAt = now };
                _firstSeen.Remove(key);
            }

            _firing = firing;
            batch = [.. firing.Values, .. _resolved.Values];
            if (options.Alertmanager.Url.Length == 0 || batch.Count == 0 || time.GetUtcNow() < _nextTry)
            {
                if (options.Alertmanager.Url.Length == 0)
                {
                    _resolved.Clear();
                }

                return;
            }
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, options.Alertmanager.Url.TrimEnd('/') + "/api/v2/alerts")
            {
                Content = JsonContent.Create(batch, AlertJson.Default.ListAlert),
            };
            using var response = await http.SendAsync(request, cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"Alertmanager answered {(int)response.StatusCode}: {(await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false)).Trim()}");
            }

            lock (_gate)
            {
                foreach (var sent in batch.Where(a => a.EndsAt <= fleet.At))
                {
                    _resolved.Remove(sent.Key);
                }

                if (_failingSince is { } since)
                {
                    log.LogInformation("Alertmanager at {Url} takes alerts again (it failed since {Since:HH:mm} UTC); {Count} sent.", options.Alertmanager.Url, since, batch.Count);
                }

                _lastSent = time.GetUtcNow();
                _failingSince = null;
                _failures = 0;
                _lastError = null;
                _nextTry = DateTimeOffset.MinValue;
            }
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            lock (_gate)
            {
                var pause = TimeSpan.FromTicks(Math.Min(LastPause.Ticks, FirstPause.Ticks << Math.Min(_failures, 10)));
                _failures++;
                _failingSince ??= time.GetUtcNow();
                _lastError = error is TaskCanceledException ? $"no answer within {options.Alertmanager.Timeout.TotalSeconds:0} s" : error.Message;
                _nextTry = time.GetUtcNow() + pause;
                if (_failures == 1 || _failures % 10 == 0)
                {
                    log.LogWarning("Alerts not delivered to Alertmanager at {Url}: {Reason}. {Count} alert(s) kept; trying again in {Pause:0} s. Check that Alertmanager runs and Console:Alertmanager:Url.", options.Alertmanager.Url, _lastError, batch.Count, pause.TotalSeconds);
                }
            }
        }
    }
}
