using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensors.LoRaWan.Pickups;
using Sensors.LoRaWan.Registry;
using Sensors.Pipeline;
using Sensors.Pipeline.Metrics;

namespace Sensors.Gateway.Sources.LoRaWan;

/// <summary>LoRaWAN uplinks and truck pickups: their readers (used by the MQTT source), the device registry, and the uplink endpoint.</summary>
public static class LoRaWanRegistration
{
    /// <summary>
    /// The device registry (reloaded when edited), the LoRaWAN uplink reader when a registry is
    /// set, and the pickup reader when a pseudonymisation key is (its lift window kept beside the
    /// journal, in <paramref name="journalDirectory"/>/lifts).
    /// </summary>
    public static IServiceCollection AddLoRaWanReaders(this IServiceCollection services, LoRaWanOptions lorawan, PickupOptions pickups, DeviceRegistry? registry, string? registryPath, string? codecsPath, string journalDirectory)
    {
        services.AddSingleton(sp => new RegistryProvider(registry, registryPath, codecsPath, sp.GetRequiredService<ILogger<RegistryProvider>>()));
        services.AddSingleton<Reloading.IReloadable>(sp => sp.GetRequiredService<RegistryProvider>());
        if (lorawan.IsConfigured)
        {
            services.AddSingleton<LoRaWanMessageReader>();
            services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<LoRaWanMessageReader>());
        }

        if (pickups.Key is { Length: > 0 } key)
        {
            services.AddSingleton(sp => new PickupMessageReader(new PickupReader(
                new ChipPseudonymiser(ChipPseudonymiser.ParseKey(key), pickups.KeyVersion),
                new LiftWindow(pickups.LiftWindow, Path.Combine(journalDirectory, "lifts")),
                () => sp.GetRequiredService<RegistryProvider>().Current)));
            services.AddSingleton<IInstrumented>(sp => sp.GetRequiredService<PickupMessageReader>());
        }

        return services;
    }

    /// <summary>The HTTP endpoint the network servers post uplinks to (Webhook:Enabled).</summary>
    public static IServiceCollection AddUplinkEndpoint(this IServiceCollection services, WebhookOptions webhook)
    {
        if (webhook.Enabled)
        {
            services.AddSingleton<IReadingSource>(sp => new WebhookSource(webhook, sp.GetRequiredService<LoRaWanMessageReader>(), sp.GetRequiredService<MessageQuarantine>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookSource>>()));
        }

        return services;
    }
}
