using System.IO.Compression;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Sensors.Core;

namespace Sensors.Influx;

/// <summary>
/// Writes batches of line protocol to InfluxDB over HTTP and says what became of every line.
/// Each request goes through one Polly pipeline: retries with exponential backoff and jitter
/// that honour Retry-After (network errors, timeouts, 429, 5xx), then a circuit breaker that
/// stops sending for <see cref="InfluxOptions.BreakDuration"/> after repeated failures, then a
/// per-attempt timeout. Around it, the answer decides what happens to the points:
/// 400/422 and 413 split the batch in halves until each refused point stands alone and is
/// handed back with the server's reason; 404 creates the database when configured to;
/// 401/403 and other failures stop the write and leave the unsent lines to the caller.
/// Safe to call from several tasks at once.
/// </summary>
public sealed partial class InfluxWriter
{
    private const int MaxReasonBytes = 16 * 1024;

    private readonly HttpClient _http;
    private readonly InfluxEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<InfluxAnswer> _pipeline;
    private long _requests;

    public InfluxWriter(HttpClient http, InfluxOptions options, TimeProvider? time = null, ILogger<InfluxWriter>? logger = null)
    {
        _http = http;
        _endpoint = new InfluxEndpoint(options);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<InfluxWriter>.Instance;
        _pipeline = BuildPipeline(options, _time, _logger);
    }

    public InfluxEndpoint Endpoint => _endpoint;

    /// <summary>HTTP requests sent so far, retries included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>A batch sized and encoded for this server.</summary>
    public LineBatch NewBatch() =>
        new(_endpoint.Options.BatchMaxPoints, _endpoint.Options.BatchMaxBytes, _endpoint.Options.Encoding);

    public async Task<WriteReport> WriteAsync(LineBatch batch, CancellationToken cancellationToken = default)
    {
        var run = new Run(batch);
        var failure = batch.IsEmpty ? null : await SendRangeAsync(run, 0, batch.Count, cancellationToken).ConfigureAwait(false);
        return new WriteReport(run.Settled, run.Delivered, run.Rejected, failure, run.Requests);
    }

    /// <summary>Runs one InfluxQL statement through /query; returns the JSON answer, or throws with the server's reason.</summary>
    public async Task<string> QueryAsync(string statement, string? database = null, CancellationToken cancellationToken = default)
    {
        using var request = _endpoint.QueryRequest(statement, database);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var answer = InfluxAnswer.Classify((int)response.StatusCode, text, null);
        if (answer.Kind != AnswerKind.Delivered || text.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InfluxQueryException(statement, answer.Kind == AnswerKind.Delivered ? InfluxAnswer.Classify(400, text, null).Reason : answer.Reason, answer.StatusCode);
        }

        return text;
    }

    private async Task<InfluxAnswer?> SendRangeAsync(Run run, int start, int count, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(run, run.Batch.Slice(start, count), cancellationToken).ConfigureAwait(false);
        switch (answer.Kind)
        {
            case AnswerKind.Delivered:
                run.Delivered += count;
                run.Settled += count;
                return null;

            case AnswerKind.Rejected or AnswerKind.TooLarge when count > 1:
                var half = count / 2;
                return await SendRangeAsync(run, start, half, cancellationToken).ConfigureAwait(false)
                    ?? await SendRangeAsync(run, start + half, count - half, cancellationToken).ConfigureAwait(false);

            case AnswerKind.Rejected or AnswerKind.TooLarge:
                var reason = answer.Kind == AnswerKind.TooLarge ? $"the point alone is larger than the server accepts ({answer.Reason})" : answer.Reason;
                run.Rejected.Add(new RejectedPoint(start, System.Text.Encoding.UTF8.GetString(run.Batch.Line(start).Span), answer.StatusCode, reason));
                run.Settled += 1;
                return null;

            case AnswerKind.NotFound when _endpoint.Options is { CreateDatabase: true, Api: InfluxApi.V1 } && !run.TriedCreate:
                run.TriedCreate = true;
                var created = await CreateDatabaseAsync(cancellationToken).ConfigureAwait(false);
                return created ?? await SendRangeAsync(run, start, count, cancellationToken).ConfigureAwait(false);

            default:
                return answer;
        }
    }

    private async Task<InfluxAnswer?> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = _endpoint.Options.Database!;
        try
        {
            await QueryAsync($"CREATE DATABASE \"{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"", null, cancellationToken).ConfigureAwait(false);
            LogDatabaseCreated(name, _endpoint.Options.Url!);
            return null;
        }
        catch (InfluxQueryException error)
        {
            var answer = InfluxAnswer.Classify(error.StatusCode, null, null);
            return answer with
            {
                Kind = answer.Kind == AnswerKind.Delivered ? AnswerKind.NotFound : answer.Kind,
                Reason = $"database '{name}' does not exist and could not be created: {error.Reason}",
            };
        }
        catch (HttpRequestException error)
        {
            return InfluxAnswer.NoAnswer($"could not create database '{name}': {error.Message}");
        }
    }

    private async Task<InfluxAnswer> SendAsync(Run run, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var gzip = _endpoint.Options.Gzip;
        var payload = gzip ? Compress(body.Span) : body;
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (state, token) => await state.Self.AttemptAsync(state.Run, state.Payload, state.Gzip, token).ConfigureAwait(false),
                (Self: this, Run: run, Payload: payload, Gzip: gzip),
                cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException open)
        {
            return InfluxAnswer.NoAnswer($"not sending: the last requests to {_endpoint.Describe()} failed, next try in {open.RetryAfter?.TotalSeconds ?? _endpoint.Options.BreakDuration.TotalSeconds:0} s") with
            {
                RetryAfter = open.RetryAfter ?? _endpoint.Options.BreakDuration,
            };
        }
        catch (TimeoutRejectedException)
        {
            return InfluxAnswer.NoAnswer($"no answer from {_endpoint.Options.Url} within {_endpoint.Options.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException error)
        {
            return InfluxAnswer.NoAnswer($"cannot reach {_endpoint.Options.Url}: {error.Message}");
        }
        catch (IOException error)
        {
            return InfluxAnswer.NoAnswer($"connection to {_endpoint.Options.Url} broke: {error.Message}");
        }
    }

    private async ValueTask<InfluxAnswer> AttemptAsync(Run run, ReadOnlyMemory<byte> payload, bool gzip, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        run.Requests++;
        using var request = _endpoint.WriteRequest(payload, gzip);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var text = status is >= 200 and < 300 ? null : await ReadReasonAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return InfluxAnswer.Classify(status, text, InfluxAnswer.RetryAfterFrom(response, _time.GetUtcNow()));
    }

    private static async Task<string> ReadReasonAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxReasonBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static ReadOnlyMemory<byte> Compress(ReadOnlySpan<byte> body)
    {
        var output = new MemoryStream(body.Length / 4 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }

    private static ResiliencePipeline<InfluxAnswer> BuildPipeline(InfluxOptions options, TimeProvider time, ILogger logger)
    {
        static ValueTask<bool> Transient(Outcome<InfluxAnswer> outcome) => ValueTask.FromResult(
            outcome.Exception is HttpRequestException or TimeoutRejectedException or IOException
            || outcome.Result.Kind is AnswerKind.Unavailable or AnswerKind.Throttled);

        var builder = new ResiliencePipelineBuilder<InfluxAnswer> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<InfluxAnswer>
            {
                ShouldHandle = args => Transient(args.Outcome),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is null && args.Outcome.Result.RetryAfter is { } wait
                        ? (TimeSpan?)(wait < options.MaxRetryDelay ? wait : options.MaxRetryDelay)
                        : null),
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? args.Outcome.Result.Reason);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<InfluxAnswer>
        {
            ShouldHandle = args => Transient(args.Outcome),
            FailureRatio = 0.5,
            MinimumThroughput = 4,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = options.BreakDuration,
        });
        builder.AddTimeout(options.RequestTimeout);
        return builder.Build();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "InfluxDB write attempt {Attempt} failed, retrying in {Seconds:0.0} s: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created InfluxDB database '{Database}' on {Url}, as Influx:CreateDatabase asks")]
    private partial void LogDatabaseCreated(string database, Uri url);

    private sealed class Run(LineBatch batch)
    {
        public LineBatch Batch { get; } = batch;
        public int Settled { get; set; }
        public int Delivered { get; set; }
        public int Requests { get; set; }
        public bool TriedCreate { get; set; }
        public List<RejectedPoint> Rejected { get; } = [];
    }
}

/// <summary>An InfluxQL statement the server refused or could not run.</summary>
public sealed class InfluxQueryException(string statement, string reason, int statusCode)
    : Exception($"InfluxDB refused '{statement}': {reason}")
{
    public string Reason { get; } = reason;
    public int StatusCode { get; } = statusCode;
}
