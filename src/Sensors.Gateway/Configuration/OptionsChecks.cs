using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sensors.Gateway.Sources.LoRaWan;
using Sensors.Gateway.Sources.Mqtt;
using Sensors.Gateway.Sources.Simulation;
using Sensors.Gateway.Status;
using Sensors.Gateway.Health;
using Sensors.Influx;
using Sensors.Journal;
using Sensors.Pipeline;
using Sensors.Pipeline.Clock;

namespace Sensors.Gateway.Configuration;

/// <summary>
/// One section's checks as .NET's options validation runs them (<see cref="IValidateOptions{T}"/>):
/// the options class says what is wrong (its <c>Validate()</c>, one line per problem naming the
/// key); this is the one way both <c>sensors config check</c> and <c>sensors run</c> ask it —
/// through <see cref="GatewaySettings.Load"/>, and again when the host starts
/// (<see cref="OptionsChecks.AddCheckedOptions"/> registers each section with ValidateOnStart).
/// </summary>
public sealed class OptionsCheck<T>(Func<T, IEnumerable<string>> check) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        check(options).ToList() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;

    /// <summary>The problems, one line each (none when valid).</summary>
    public IEnumerable<string> Problems(T options) => Validate(Options.DefaultName, options) is { Failed: true, Failures: { } failures } ? failures : [];
}

/// <summary>Every section's check, once.</summary>
public static class OptionsChecks
{
    public static readonly OptionsCheck<GatewayOptions> Gateway = new(o => o.Validate());
    public static readonly OptionsCheck<InfluxOptions> Influx = new(o => o.Validate());
    public static readonly OptionsCheck<MqttSourceOptions> Mqtt = new(o => o.Validate());
    public static readonly OptionsCheck<JournalOptions> Journal = new(o => o.Validate());
    public static readonly OptionsCheck<ClockOptions> Clock = new(o => o.Validate());
    public static readonly OptionsCheck<HttpOptions> Http = new(o => o.Validate());
    public static readonly OptionsCheck<StatusPageOptions> StatusPage = new(o => o.Validate());
    public static readonly OptionsCheck<PipelineOptions> Pipeline = new(o => o.Validate());
    public static readonly OptionsCheck<SimulationOptions> Simulation = new(o => o.Validate());
    public static readonly OptionsCheck<WebhookOptions> Webhook = new(o => o.Validate());

    /// <summary>
    /// Each checked section as <see cref="IOptions{T}"/> with its check, validated when the host
    /// starts: a host built from settings that were not checked (or changed since) refuses to
    /// start with the same lines <c>config check</c> prints (<see cref="OptionsValidationException"/>).
    /// </summary>
    public static IServiceCollection AddCheckedOptions(this IServiceCollection services, GatewaySettings settings)
    {
        Add(services, settings.Gateway, Gateway);
        Add(services, settings.Influx, Influx);
        Add(services, settings.Mqtt, Mqtt);
        Add(services, settings.Journal, Journal);
        Add(services, settings.Clock, Clock);
        Add(services, settings.Http, Http);
        Add(services, settings.StatusPage, StatusPage);
        Add(services, settings.Pipeline, Pipeline);
        Add(services, settings.Simulation, Simulation);
        Add(services, settings.Webhook, Webhook);
        return services;
    }

    /// <summary>The lines of an options validation failure on start (one section, or several in an AggregateException); empty for any other error.</summary>
    public static IReadOnlyList<string> Failures(Exception error) => error switch
    {
        OptionsValidationException one => [.. one.Failures],
        AggregateException { InnerExceptions: var inner } when inner.Count > 0 && inner.All(e => e is OptionsValidationException) => [.. inner.Cast<OptionsValidationException>().SelectMany(e => e.Failures)],
        _ => [],
    };

    private static void Add<T>(IServiceCollection services, T bound, OptionsCheck<T> check)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(check);
        services.AddOptions<T>().Configure(options => CopyInto(bound, options)).ValidateOnStart();
    }

    /// <summary>The bound section's values into the instance the options system makes.</summary>
    private static void CopyInto<T>(T from, T to)
    {
        foreach (var property in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0))
        {
            property.SetValue(to, property.GetValue(from));
        }
    }
}
