namespace Sensors.LoRaWan;

/// <summary>What the frame counter says of an uplink.</summary>
public enum FrameVerdict
{
    /// <summary>New: read it.</summary>
    New,

    /// <summary>The same uplink again (heard by several gateways, or resent by the server): count it once.</summary>
    Duplicate,

    /// <summary>The counter went back to the start: the device re-joined or was reset. New, and no loss counted.</summary>
    Reset,
}

/// <summary>
/// Per device, the frame counters seen: an uplink whose fCnt was already seen is a duplicate; a
/// jump forward counts the missing uplinks as lost (the metric for a weak radio link); a counter
/// far below the last one is a reset (a re-join), not a loss. Pure and bounded: a small window
/// of recent counters per device, at most <see cref="MaxDevices"/> devices.
/// </summary>
public sealed class FrameCounters
{
    public const int MaxDevices = 100_000;
    private const int Window = 64;

    private readonly Dictionary<string, DeviceFrames> _devices = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public long Lost { get; private set; }

    public long Duplicates { get; private set; }

    public FrameVerdict Observe(string devEui, uint fCnt)
    {
        lock (_gate)
        {
            if (!_devices.TryGetValue(devEui, out var device))
            {
                if (_devices.Count >= MaxDevices)
                {
                    _devices.Clear(); // a flood of unknown EUIs must not grow memory; counting restarts
                }

                _devices[devEui] = new DeviceFrames(fCnt);
                return FrameVerdict.New;
            }

            if (device.Recent.Contains(fCnt))
            {
                Duplicates++;
                return FrameVerdict.Duplicate;
            }

            if (fCnt > device.Highest)
            {
                var gap = fCnt - device.Highest - 1;
                if (gap < 16_384)
                {
                    device.LostTotal += gap;
                    Lost += gap;
                }

                device.Highest = fCnt;
                device.Remember(fCnt);
                return FrameVerdict.New;
            }

            // Below the highest: a late uplink within the window, or a counter that restarted.
            if (device.Highest - fCnt < Window)
            {
                device.Remember(fCnt);
                if (fCnt > device.First && device.LostTotal > 0)
                {
                    device.LostTotal--;
                    Lost--; // it was counted as lost, and came after all
                }

                return FrameVerdict.New;
            }

            _devices[devEui] = new DeviceFrames(fCnt);
            return FrameVerdict.Reset;
        }
    }

    /// <summary>Uplinks lost by one device since it was first seen (or last reset).</summary>
    public long LostBy(string devEui)
    {
        lock (_gate)
        {
            return _devices.TryGetValue(devEui, out var device) ? (long)device.LostTotal : 0;
        }
    }

    public IReadOnlyDictionary<string, long> LostByDevice()
    {
        lock (_gate)
        {
            return _devices.Where(d => d.Value.LostTotal > 0).ToDictionary(d => d.Key, d => (long)d.Value.LostTotal, StringComparer.Ordinal);
        }
    }

    private sealed class DeviceFrames(uint first)
    {
        private readonly Queue<uint> _order = new([first]);

        public HashSet<uint> Recent { get; } = [first];

        public uint First { get; } = first;

        public uint Highest { get; set; } = first;

        public ulong LostTotal { get; set; }

        public void Remember(uint fCnt)
        {
            Recent.Add(fCnt);
            _order.Enqueue(fCnt);
            while (_order.Count > Window)
            {
                Recent.Remove(_order.Dequeue());
            }
        }
    }
}
