using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensors.Sites;
using Sensors.Gateway.Status;
using Sensors.Pipeline;
using Sensors.Core;
using Sensors.Gateway.Indicators;
using Sensors.Hardware.Bus;

namespace Sensors.Gateway.Sources.Hardware;

public static class HardwareRegistration
{
    /// <summary>
    /// The sensors (CO2, temperature, humidity, pressure) of the site file that have a bus, and the
    /// classroom indicators, which show the rooms' CO2 with <paramref name="levels"/> (the status
    /// page's); with Hardware:Emulate, emulators of all of them on the same emulated buses.
    /// </summary>
    public static IServiceCollection AddHardware(this IServiceCollection services, HardwareOptions hardware, SiteFile? site, Co2Levels levels)
    {
        var indicators = site?.Rooms.Any(r => r.Indicator is not null) == true;
        if (!hardware.Enabled || site is null || (!site.WiredSensors().Any() && !indicators))
        {
            return services;
        }

        services.AddSingleton<IBusProvider>(sp => HardwareSource.BusesFor(site, hardware, sp.GetRequiredService<TimeProvider>()));
        if (site.WiredSensors().Any())
        {
            services.AddSingleton<IReadingSource>(sp => new HardwareSource(site, hardware, sp.GetRequiredService<IBusProvider>(), sp.GetRequiredService<SensorHealthBoard>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        }

        if (indicators)
        {
            services.AddSingleton(sp => IndicatorDevices.For(sp.GetRequiredService<IBusProvider>(), hardware.Emulate));
            services.AddHostedService(sp => new IndicatorService(site, sp.GetRequiredService<IndicatorDevices>(), sp.GetRequiredService<RoomBoard>(), sp.GetRequiredService<IndicatorBoard>(), levels, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<IndicatorService>>()));
        }

        return services;
    }
}
