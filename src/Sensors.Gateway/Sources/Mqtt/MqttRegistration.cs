using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Sources.LoRaWan;
using Sensors.Pipeline;

namespace Sensors.Gateway.Sources.Mqtt;

public static class MqttRegistration
{
    /// <summary>The MQTT source when it has subscriptions; LoRaWAN and pickup subscriptions read through the readers registered before it.</summary>
    public static IServiceCollection AddMqttSource(this IServiceCollection services, MqttSourceOptions mqtt, string gatewayId)
    {
        if (mqtt.IsConfigured)
        {
            services.AddSingleton<IReadingSource>(sp => new MqttSource(
                mqtt,
                gatewayId,
                new MessageReaders(sp.GetService<LoRaWanMessageReader>(), sp.GetService<PickupMessageReader>()),
                sp.GetRequiredService<MessageQuarantine>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>()));
        }

        return services;
    }
}
