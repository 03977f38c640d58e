using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Sensors.Gateway.Clock;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Health;
using Sensors.Gateway.Metrics;
using Sensors.Gateway.LoRaWan;
using Sensors.Gateway.Pipeline;
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
        builder.Services.AddSingleton(settings.Pipeline);
        builder.Services.AddPipeline(settings);
        builder.Services.AddInflux(settings.Influx);
        builder.Services.AddSimulation(settings);
        builder.Services.AddMqttSource(settings);
        builder.Services.AddHardware(settings);
        builder.Services.AddHealthAndStatus(settings);

        // Registered last, so started last and stopped first: sources stop taking input (and
        // acknowledge what is committed) before the forwarder finishes its write and the journal
        // closes. Within systemd's TimeoutStopSec (30 s in deploy/systemd).
        builder.Services.AddHostedService<SourceRunner>();
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

    public static IServiceCollection AddPipeline(this IServiceCollection services, GatewaySettings settings)
    {
        services.AddSingleton<PipelineStats>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<PipelineStats>());
        services.AddSingleton<SourceStates>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<SourceStates>());
        services.AddSingleton<SensorHealthBoard>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<SensorHealthBoard>());
        services.AddSingleton(settings.Journal);
        services.AddSingleton(sp => Sensors.Journal.Journal.Open(settings.Journal, sp.GetRequiredService<ILogger<Sensors.Journal.Journal>>()));
        services.AddSingleton(new DeadLetterStore(settings.Journal.Directory));
        services.AddSingleton<RoomBoard>();
        services.AddSingleton<IReadingObserver>(sp => sp.GetRequiredService<RoomBoard>());
        services.AddSingleton(sp => new JournalSink(sp.GetRequiredService<Sensors.Journal.Journal>(), settings.Influx.Encoding, sp.GetServices<IReadingObserver>()));

        // sources → (per-source count) → clock guard → journal → observers
        services.AddSingleton(settings.Clock);
        services.AddSingleton<IClockSync>(sp => settings.Clock.Source == ClockSyncSource.Kernel
            ? new KernelClockSync(sp.GetRequiredService<TimeProvider>(), settings.Clock.NotBefore)
            : new AssumedClockSync());
        services.AddSingleton(sp => new ClockGuard(
            sp.GetRequiredService<JournalSink>(),
            sp.GetRequiredService<IClockSync>(),
            settings.Clock,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ClockGuard>>()));
        services.AddSingleton<IReadingSink>(sp => sp.GetRequiredService<ClockGuard>());
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<ClockGuard>());
        services.AddHostedService<ClockWatchService>();
        services.AddSingleton(sp => new SiteProvider(settings.Site, settings.SitePath, sp.GetRequiredService<ILogger<SiteProvider>>()));
        services.AddSingleton<IReloadable>(sp => sp.GetRequiredService<SiteProvider>());
        services.AddSingleton(sp => new RegistryProvider(settings.Registry, settings.RegistryPath, settings.CodecsPath, sp.GetRequiredService<ILogger<RegistryProvider>>()));
        services.AddSingleton<IReloadable>(sp => sp.GetRequiredService<RegistryProvider>());
        services.AddSingleton(new UnreadableStore(settings.Journal.Directory));
        services.AddSingleton<MessageQuarantine>();
        services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<MessageQuarantine>());
        services.AddHostedService<ConfigReloadService>();
        if (settings.Gateway.ReportInterval > TimeSpan.Zero)
        {
            services.AddSingleton<IReadingSource, GatewaySelfSource>();
        }

        services.AddSingleton(sp => new ForwarderService(
            sp.GetRequiredService<Sensors.Journal.Journal>(),
            sp.GetRequiredService<DeadLetterStore>(),
            sp.GetService<InfluxWriter>(),
            sp.GetRequiredService<PipelineOptions>(),
            sp.GetRequiredService<PipelineStats>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ForwarderService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ForwarderService>());
        services.AddHostedService<StatusLogService>();
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
        services.AddSingleton<StatusPageBuilder>();
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

    public static IServiceCollection AddMqttSource(this IServiceCollection services, GatewaySettings settings)
    {
        if (settings.LoRaWan.IsConfigured)
        {
            services.AddSingleton<LoRaWanIngest>();
            services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<LoRaWanIngest>());
        }

        if (settings.Pickups.Key is { Length: > 0 } key)
        {
            services.AddSingleton(sp => new PickupIngest(new Sensors.LoRaWan.Pickups.PickupProcessor(
                new Sensors.LoRaWan.Pickups.ChipPseudonymiser(Sensors.LoRaWan.Pickups.ChipPseudonymiser.ParseKey(key)),
                new Sensors.LoRaWan.Pickups.LiftWindow(settings.Pickups.LiftWindow, Path.Combine(settings.Journal.Directory, "lifts")),
                () => sp.GetRequiredService<RegistryProvider>().Current)));
            services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<PickupIngest>());
        }

        if (settings.Mqtt.IsConfigured)
        {
            services.AddSingleton<IReadingSource>(sp => new MqttSource(
                settings.Mqtt,
                settings.Gateway.EffectiveId,
                new MessageReaders(sp.GetService<LoRaWanIngest>(), sp.GetService<PickupIngest>()),
                sp.GetRequiredService<MessageQuarantine>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>()));
        }

        if (settings.Webhook.Enabled)
        {
            services.AddSingleton<IReadingSource>(sp => new WebhookSource(settings.Webhook, sp.GetRequiredService<LoRaWanIngest>(), sp.GetRequiredService<MessageQuarantine>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookSource>>()));
        }

        return services;
    }

    /// <summary>The CO2 sensors of the site file that have a bus (or their emulators with Hardware:Emulate).</summary>
    public static IServiceCollection AddHardware(this IServiceCollection services, GatewaySettings settings)
    {
        if (settings.Hardware.Enabled && settings.Site is { } site && site.WiredSensors().Any())
        {
            services.AddSingleton<IReadingSource>(sp => new HardwareSource(site, settings.Hardware, null, sp.GetRequiredService<SensorHealthBoard>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        }

        return services;
    }

    public static IServiceCollection AddSimulation(this IServiceCollection services, GatewaySettings settings)
    {
        if (settings.Simulation.Enabled && settings.Site is { } site)
        {
            services.AddSingleton<IReadingSource>(sp => new SimulatedSchoolSource(site, settings.Simulation, sp.GetRequiredService<SensorHealthBoard>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SimulatedSchoolSource>>()));
        }

        return services;
    }
}
