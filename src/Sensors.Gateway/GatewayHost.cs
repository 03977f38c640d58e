using Sensors.Gateway.Endpoints;
using Sensors.Gateway.Sites;
using Sensors.Gateway.Http;
using Sensors.Gateway.Reloading;
using Sensors.Gateway.Sources.Simulation;
using Sensors.Gateway.Sources.Self;
using Sensors.Gateway.Sources.Mqtt;
using Sensors.Gateway.Sources.Hardware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Sensors.Pipeline.Clock;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Health;
using Sensors.Pipeline.Metrics;
using Sensors.Gateway.Sources.LoRaWan;
using Sensors.Pipeline;
using Sensors.Gateway.Sources;
using Sensors.Gateway.Status;
using Sensors.Gateway.Systemd;
using Sensors.Influx;
using Sensors.Journal;

namespace Sensors.Gateway;

/// <summary>The gateway's parts, one <c>Add…</c> per concern.</summary>
public static class GatewayHost
{
    public static HostApplicationBuilder CreateBuilder(GatewaySettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(settings.Configuration);
        builder.AddOperatorLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Gateway);
        builder.Services.AddCheckedOptions(settings);
        builder.Services.AddPipeline(settings);
        builder.Services.AddInflux(settings.Influx);
        builder.Services.AddSimulation(settings.Simulation, settings.Site);
        builder.Services.AddHardware(settings.Hardware, settings.Site, settings.StatusPage.Levels);
        builder.Services.AddLoRaWanReaders(settings.LoRaWan, settings.Pickups, settings.Registry, settings.RegistryPath, settings.CodecsPath, settings.Journal.Directory);
        builder.Services.AddMqttSource(settings.Mqtt, settings.Gateway.EffectiveId);
        builder.Services.AddUplinkEndpoint(settings.Webhook);
        builder.Services.AddHealthAndStatus(settings);

        // Registered last, so started last and stopped first: sources stop taking input (and
        // acknowledge what is committed) before the forwarder finishes its write and the journal
        // closes. Within systemd's TimeoutStopSec (30 s in deploy/systemd).
        builder.Services.AddSourceRunner();
        builder.Services.AddSingleton(_ => SystemdNotifier.FromEnvironment());
        builder.Services.AddHostedService<SystemdService>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        return builder;
    }

    /// <summary>One line per event (see <see cref="OperatorLogFormatter"/>).</summary>
    public static void AddOperatorLogging(this HostApplicationBuilder builder)
    {
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddConsole(o => o.FormatterName = OperatorLogFormatter.FormatterName);
        builder.Logging.AddConsoleFormatter<OperatorLogFormatter, ConsoleFormatterOptions>();
    }

    /// <summary>The pipeline (Sensors.Pipeline), and what the gateway hangs on it: the sensors' health, the rooms of the status page, the site file and the device registry reloaded when edited, the gateway's own measurement.</summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, GatewaySettings settings)
    {
        services.AddReadingPipeline(settings.Journal, settings.Clock, settings.Pipeline, settings.Influx.Encoding);
        services.AddSingleton<SensorHealthBoard>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<SensorHealthBoard>());
        services.AddSingleton<IndicatorBoard>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<IndicatorBoard>());
        services.AddSingleton<RoomBoard>();
        services.AddSingleton<IReadingObserver>(sp => sp.GetRequiredService<RoomBoard>());
        services.AddSingleton(sp => new SiteProvider(settings.Site, settings.SitePath, sp.GetRequiredService<ILogger<SiteProvider>>()));
        services.AddSingleton<IReloadable>(sp => sp.GetRequiredService<SiteProvider>());
        services.AddHostedService<ConfigReloadService>();
        if (settings.Gateway.ReportInterval > TimeSpan.Zero)
        {
            services.AddSingleton<IReadingSource, GatewaySelfSource>();
        }

        return services;
    }

    /// <summary>/healthz, /readyz, /metrics and the school's status page.</summary>
    public static IServiceCollection AddHealthAndStatus(this IServiceCollection services, GatewaySettings settings)
    {
        services.AddSingleton(settings.Http);
        services.AddSingleton(settings.StatusPage);
        services.AddSingleton<GatewayHealth>();
        services.AddMetrics();
        services.AddSingleton(sp => new GatewayMetrics(
            sp.GetRequiredService<Sensors.Journal.Journal>(),
            sp.GetRequiredService<DeadLetterStore>(),
            sp.GetRequiredService<GatewayHealth>(),
            sp.GetServices<IInstrumented>().Concat(sp.GetServices<IReadingSource>().OfType<IInstrumented>()),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<StatusPageBuilder>(sp, settings.Gateway.EffectiveId));
        services.AddHostedService<StatusServer>();
        return services;
    }

    public static IServiceCollection AddInflux(this IServiceCollection services, InfluxOptions options)
    {
        if (!options.IsConfigured)
        {
            return services;
        }

        services.AddSingleton(options);
        services.AddHttpClient(nameof(InfluxWriter), http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = System.Net.DecompressionMethods.All });
        services.AddSingleton(sp => new InfluxWriter(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(InfluxWriter)),
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<InfluxWriter>>()));
        return services;
    }
}
