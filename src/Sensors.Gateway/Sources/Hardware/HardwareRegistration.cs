using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensors.Sites;
using Sensors.Gateway.Status;
using Sensors.Pipeline;

namespace Sensors.Gateway.Sources.Hardware;

public static class HardwareRegistration
{
    /// <summary>The sensors (CO2, temperature, humidity, pressure) of the site file that have a bus (or their emulators with Hardware:Emulate).</summary>
    public static IServiceCollection AddHardware(this IServiceCollection services, HardwareOptions hardware, SiteFile? site)
    {
        if (hardware.Enabled && site is not null && site.WiredSensors().Any())
        {
            services.AddSingleton<IReadingSource>(sp => new HardwareSource(site, hardware, null, sp.GetRequiredService<SensorHealthBoard>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        }

        return services;
    }
}
