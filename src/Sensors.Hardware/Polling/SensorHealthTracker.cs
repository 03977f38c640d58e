using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Polling;

/// <summary>A sensor's state as the installer sees it.</summary>
public enum SensorHealth
{
    Ok,

    /// <summary>Just started: its first readings are warm-up values, discarded until <see cref="SensorHealthTracker.FirstReadingAt"/>. Not a fault.</summary>
    WarmingUp,

    /// <summary>Answers, but some readings fail or are refused, or its value is stuck.</summary>
    Degraded,

    /// <summary>No usable reading: unplugged, not answering, or failing every time. It is re-initialised with backoff.</summary>
    Failed,
}

/// <summary>
/// The health rule, pure: a started sensor is WarmingUp until its first plausible reading, which
/// makes it Ok; three failures in a row make a sensor Failed (and due for a restart after a
/// backoff of 5 s doubling to 5 minutes); any failure, refused value or stuck value makes it
/// Degraded; ten good readings in a row make it Ok again. <see cref="Changed"/> tells the
/// caller when to log: one line per change, never one per reading.
/// </summary>
public sealed class SensorHealthTracker
{
    public const int FailuresToFail = 3;
    public const int GoodToRecover = 10;
    public const int SameValuesToStuck = 30;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromMinutes(5);

    private int _failuresInARow;
    private int _goodInARow;
    private int _sameInARow;
    private Drivers.SensorSample? _lastValue;
    private int _restarts;

    public SensorHealth State { get; private set; } = SensorHealth.Degraded;

    /// <summary>When a warming-up sensor's first kept reading is due (its start plus its warm-up); null once it has given one.</summary>
    public DateTimeOffset? FirstReadingAt { get; private set; }

    public string Reason { get; private set; } = "starting";

    /// <summary>True when the last event changed <see cref="State"/>.</summary>
    public bool Changed { get; private set; }

    public long Good { get; private set; }

    public long Failures { get; private set; }

    public long Refused { get; private set; }

    public long WarmUpDiscarded { get; private set; }

    /// <summary>How long to wait before the next restart of a failed sensor.</summary>
    public TimeSpan Backoff => TimeSpan.FromTicks(Math.Min(LastBackoff.Ticks, FirstBackoff.Ticks << Math.Min(_restarts, 10)));

    /// <summary>Started at <paramref name="at"/>; its readings of the next <paramref name="warmUp"/> are discarded.</summary>
    public void Started(DateTimeOffset at, TimeSpan warmUp)
    {
        _failuresInARow = 0;
        _goodInARow = 0;
        FirstReadingAt = at + warmUp;
        Set(SensorHealth.WarmingUp, $"warming up until {FirstReadingAt:HH:mm:ss} UTC");
    }

    public void WarmingUp()
    {
        WarmUpDiscarded++;
        Changed = false;
    }

    /// <summary>A plausible reading; <paramref name="value"/> tells a stuck sensor from a live one.</summary>
    public void Reading(Drivers.SensorSample value)
    {
        Good++;
        _failuresInARow = 0;
        _restarts = 0;
        _sameInARow = _lastValue == value ? _sameInARow + 1 : 0;
        _lastValue = value;
        if (_sameInARow >= SameValuesToStuck)
        {
            _goodInARow = 0;
            Set(SensorHealth.Degraded, $"value stuck at {Stuck(value)} for {_sameInARow + 1} readings");
            return;
        }

        _goodInARow++;
        FirstReadingAt = null;
        if (_goodInARow >= GoodToRecover || State is SensorHealth.Ok or SensorHealth.WarmingUp)
        {
            Set(SensorHealth.Ok, "ok");
        }
        else
        {
            Changed = false;
        }
    }

    private static string Stuck(Drivers.SensorSample value) =>
        value.Co2Ppm is { } ppm ? $"{ppm} ppm" : value.PressureHpa is { } hpa ? $"{value.TemperatureC} °C, {hpa} hPa" : $"{value.TemperatureC} °C, {value.HumidityPct} %";

    /// <summary>A value outside what the sensor can measure: refused, counted.</summary>
    public void Implausible(string why)
    {
        Refused++;
        _goodInARow = 0;
        Set(State == SensorHealth.Failed ? SensorHealth.Failed : SensorHealth.Degraded, why);
    }

    /// <summary>A failed read or start; returns true when the sensor is now Failed and must be restarted.</summary>
    public bool Failure(HardwareException error)
    {
        Failures++;
        _goodInARow = 0;
        _failuresInARow++;
        if (_failuresInARow >= FailuresToFail)
        {
            Set(SensorHealth.Failed, error.Message);
            return true;
        }

        Set(State == SensorHealth.Failed ? SensorHealth.Failed : SensorHealth.Degraded, error.Message);
        return false;
    }

    /// <summary>A restart is about to be tried: the next backoff doubles.</summary>
    public void Restarting() => _restarts++;

    private void Set(SensorHealth state, string reason)
    {
        Changed = state != State;
        State = state;
        Reason = reason;
    }
}
