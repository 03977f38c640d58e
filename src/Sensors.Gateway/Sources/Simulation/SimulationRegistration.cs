using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sensors.Sites;
using Sensors.Gateway.Status;
using Sensors.Pipeline;

namespace Sensors.Gateway.Sources.Simulation;

public static class SimulationRegistration
{
    /// <summary>The site file's classrooms, simulated (Simulation:Enabled).</summary>
    public static IServiceCollection AddSimulation(this IServiceCollection services, SimulationOptions simulation, SiteFile? site)
    {
        if (simulation.Enabled && site is not null)
        {
            services.AddSingleton<IReadingSource>(sp => new SimulatedSchoolSource(site, simulation, sp.GetRequiredService<SensorHealthBoard>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SimulatedSchoolSource>>()));
        }

        return services;
    }
}
