namespace Sensors.Simulation;

/// <summary>A classroom's fixed facts.</summary>
/// <param name="VolumeM3">Air volume (a French classroom: 150–200 m³).</param>
/// <param name="Pupils">Pupils in a lesson, plus one adult.</param>
public sealed record ClassroomProfile(double VolumeM3, int Pupils);

/// <summary>Air quality as a sensor would report it.</summary>
public readonly record struct AirSample(double Co2Ppm, double TemperatureC, double HumidityPct);

/// <summary>
/// A well-mixed room, integrated in steps of at most one minute. CO2 follows the mass balance
/// dC/dt = G·N/V − λ·(C − C_out): each occupant breathes out G (children ≈ 0.0040 L/s, an adult
/// ≈ 0.0052 L/s), λ is the air change rate per hour (about 0.8 with windows shut and doors opening, 0.2 at night
/// with the ventilation off, 6 with a window wide open). With 28 pupils in 180 m³ and windows
/// shut, CO2 climbs from 420 ppm to about 2000 ppm in an hour and 2500 in ninety minutes; a window open at recess
/// brings it down within minutes. Temperature and humidity rise with occupancy and relax
/// towards the building's own. Random events (a window opened during a lesson, a pupil away,
/// sensor noise) come from a seeded <see cref="Random"/>, so one seed gives one day, exactly.
/// </summary>
public sealed class ClassroomModel
{
    public const double OutdoorCo2Ppm = 420;

    private const double ChildCo2LitresPerSecond = 0.0040;
    private const double AdultCo2LitresPerSecond = 0.0052;
    private const double ShutAirChangesPerHour = 0.8;
    private const double NightAirChangesPerHour = 0.2;
    private const double OpenWindowAirChangesPerHour = 6.0;
    private static readonly TimeSpan MaxStep = TimeSpan.FromMinutes(1);

    private readonly ClassroomProfile _profile;
    private readonly Random _random;
    private double _co2 = OutdoorCo2Ppm + 20;
    private double _temperature = 19.0;
    private double _humidity = 45.0;
    private ClassroomActivity _activity = ClassroomActivity.Empty;
    private bool _windowOpen;
    private int _present;
    private DateTime _lastLocal;

    public ClassroomModel(ClassroomProfile profile, int seed, DateTime startLocal)
    {
        _profile = profile;
        _random = new Random(seed);
        _lastLocal = startLocal;
    }

    public bool WindowOpen => _windowOpen;

    public ClassroomActivity Activity => _activity;

    /// <summary>Advances the room to <paramref name="local"/> and returns what a sensor reads there.</summary>
    public AirSample Advance(DateTime local)
    {
        while (_lastLocal < local)
        {
            var step = local - _lastLocal < MaxStep ? local - _lastLocal : MaxStep;
            _lastLocal += step;
            Step(_lastLocal, step.TotalSeconds);
        }

        return new AirSample(
            Math.Round(_co2 + Noise(8), 0),
            Math.Round(_temperature + Noise(0.05), 2),
            Math.Round(Math.Clamp(_humidity + Noise(0.3), 5, 95), 1));
    }

    private void Step(DateTime local, double seconds)
    {
        var activity = SchoolTimetable.At(local);
        if (activity != _activity)
        {
            Enter(activity);
        }
        else if (activity == ClassroomActivity.Lesson && _random.NextDouble() < seconds / 3600 * 0.4)
        {
            // About one lesson in three, someone opens a window for a while, then shuts it.
            _windowOpen = !_windowOpen;
        }

        var children = _activity == ClassroomActivity.Lesson ? _present : 0;
        var adults = _activity == ClassroomActivity.Lesson ? 1 : 0;
        var litresPerSecond = (children * ChildCo2LitresPerSecond) + (adults * AdultCo2LitresPerSecond);
        var airChanges = _windowOpen ? OpenWindowAirChangesPerHour
            : _activity == ClassroomActivity.Empty && (local.Hour < 7 || local.Hour >= 19) ? NightAirChangesPerHour
            : ShutAirChangesPerHour;

        // Exact solution over the step for constant inputs: relaxes towards the steady state.
        var lambda = airChanges / 3600;
        var steady = Steady(litresPerSecond, _profile.VolumeM3, airChanges);
        _co2 = steady + ((_co2 - steady) * Math.Exp(-lambda * seconds));

        var occupants = children + adults;
        var heating = local.Hour is >= 6 and < 18 && local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) ? 20.0 : 17.5;
        var targetTemperature = heating + (occupants * 0.09) - (_windowOpen ? 2.5 : 0);
        var targetHumidity = 42 + (occupants * 0.5) - (_windowOpen ? 5 : 0);
        var relax = 1 - Math.Exp(-seconds / 1800);
        _temperature += (targetTemperature - _temperature) * relax;
        _humidity += (targetHumidity - _humidity) * relax;
    }

    /// <summary>
    /// The most CO2 the room reaches before the sensor's noise: every pupil and the teacher in it
    /// with the windows shut, for as long as it takes to settle (a full canteen of 90 in 420 m³
    /// settles near 4,300 ppm).
    /// </summary>
    public static double MaxCo2Ppm(ClassroomProfile profile) =>
        Steady((profile.Pupils * ChildCo2LitresPerSecond) + AdultCo2LitresPerSecond, profile.VolumeM3, ShutAirChangesPerHour);

    /// <summary>The steady state of a well-mixed room: outdoor air plus what the occupants breathe out over what the air changes carry away.</summary>
    private static double Steady(double litresPerSecond, double volumeM3, double airChangesPerHour) =>
        OutdoorCo2Ppm + (litresPerSecond / 1000 / volumeM3 * 1e6 / (airChangesPerHour / 3600));

    private void Enter(ClassroomActivity activity)
    {
        _activity = activity;
        _present = activity == ClassroomActivity.Lesson ? Math.Max(0, _profile.Pupils - _random.Next(0, 3)) : 0;
        _windowOpen = activity switch
        {
            ClassroomActivity.Break => _random.NextDouble() < 0.7,
            ClassroomActivity.Lunch => _random.NextDouble() < 0.5,
            ClassroomActivity.Lesson => _random.NextDouble() < 0.1,
            _ => false,
        };
    }

    private double Noise(double scale) => (_random.NextDouble() - 0.5) * 2 * scale;
}
