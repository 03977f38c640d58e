using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Sensors.Pipeline.Clock;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Health;
using Sensors.Pipeline.Metrics;
using Sensors.Gateway.LoRaWan;
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
        builder.Services.AddPipeline(settings);
        builder.Services.AddInflux(settings.Influx);
        builder.Services.AddSimulation(settings);
        builder.Services.AddMqttSource(settings);
        builder.Services.AddHardware(settings);
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
        services.AddSingleton<RoomBoard>();
        services.AddSingleton<IReadingObserver>(sp => sp.GetRequiredService<RoomBoard>());
        services.AddSingleton(sp => new SiteProvider(settings.Site, settings.SitePath, sp.GetRequiredService<ILogger<SiteProvider>>()));
        services.AddSingleton<IReloadable>(sp => sp.GetRequiredService<SiteProvider>());
        services.AddSingleton(sp => new RegistryProvider(settings.Registry, settings.RegistryPath, settings.CodecsPath, sp.GetRequiredService<ILogger<RegistryProvider>>()));
        services.AddSingleton<IReloadable>(sp => sp.GetRequiredService<RegistryProvider>());
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
