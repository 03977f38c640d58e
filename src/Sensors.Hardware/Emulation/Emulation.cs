using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Emulation;

/// <summary>The air an emulated sensor measures, at a given time.</summary>
public delegate (double Co2Ppm, double TemperatureC, double HumidityPct) Air(DateTimeOffset at);

/// <summary>
/// Faults to inject into an emulated sensor, on demand, while it runs: what the gateway must
/// survive in a school cupboard.
/// </summary>
public sealed class SensorFaults
{
    /// <summary>Nothing answers (NACK on I2C, silence on serial): the sensor was unplugged.</summary>
    public bool Unplugged { get; set; }

    /// <summary>The sensor is unplugged between the next command and its answer.</summary>
    public bool UnplugMidRead { get; set; }

    /// <summary>The next this-many answers carry a wrong CRC/checksum.</summary>
    public int CorruptAnswers { get; set; }

    /// <summary>The measured values freeze at the last ones.</summary>
    public bool Stuck { get; set; }

    /// <summary>The sensor reports this CO2 value instead of the air's (0, 65535, …).</summary>
    public double? Co2Override { get; set; }

    /// <summary>Consumes one corrupted answer if any are left.</summary>
    internal bool TakeCorruption()
    {
        if (CorruptAnswers <= 0)
        {
            return false;
        }

        CorruptAnswers--;
        return true;
    }

    internal void ThrowIfUnplugged(string where)
    {
        if (Unplugged)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{where}: no answer (NACK): the sensor is unplugged.");
        }
    }
}

/// <summary>The measuring part every emulator shares: the air, frozen when stuck, replaced when overridden.</summary>
internal sealed class EmulatedMeasurement(Air air, SensorFaults faults)
{
    private (double Co2, double T, double Rh) _last;

    public (double Co2, double T, double Rh) Take(DateTimeOffset at)
    {
        if (!faults.Stuck || _last == default)
        {
            var (co2, t, rh) = air(at);
            _last = (co2, t, rh);
        }

        return faults.Co2Override is { } forced ? (forced, _last.T, _last.Rh) : _last;
    }
}

/// <summary>
/// Time that moves only when something waits on it: Task.Delay(d, time) advances the clock by d
/// and completes at once. Drivers and emulators share it, so a test runs the datasheet's real
/// execution times (10 s for a self test) in microseconds, and an emulator still sees a driver
/// that did not wait. One-shot timers only (what Task.Delay uses).
/// </summary>
public sealed class VirtualTime(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero)
        {
            throw new NotSupportedException("VirtualTime runs one-shot timers (Task.Delay) only.");
        }

        var timer = new OneShot(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class OneShot(VirtualTime time, TimerCallback callback, object? state) : ITimer
    {
        private int _fired;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan || Interlocked.Exchange(ref _fired, 1) == 1)
            {
                return true;
            }

            time.Advance(dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            ThreadPool.UnsafeQueueUserWorkItem(_ => callback(state), null);
            return true;
        }

        public void Dispose() => Interlocked.Exchange(ref _fired, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
