namespace Sensors.LoRaWan.Pickups;

/// <summary>
/// A reader reads a chip several times while the truck lifts the bin: reads of one bin by one
/// truck less than <see cref="Window"/> apart are one lift (the window slides with each read, so a
/// long lift stays one). Compared on the reads' own times, so a resent message is recognised too.
/// Bounded: lifts older than the window are forgotten.
/// </summary>
public sealed class LiftWindow(TimeSpan window)
{
    public const int MaxRemembered = 100_000;

    private readonly Dictionary<(string Bin, string Truck), DateTimeOffset> _last = [];
    private readonly object _gate = new();
    private DateTimeOffset _newest;

    public TimeSpan Window { get; } = window;

    /// <summary>True when this read starts a new lift; false when it belongs to one already counted.</summary>
    public bool IsNewLift(string bin, string truck, DateTimeOffset readAt)
    {
        lock (_gate)
        {
            if (readAt > _newest)
            {
                _newest = readAt;
            }

            if (_last.Count >= MaxRemembered)
            {
                Forget();
            }

            var key = (bin, truck);
            if (_last.TryGetValue(key, out var last) && (readAt - last).Duration() <= Window)
            {
                if (readAt > last)
                {
                    _last[key] = readAt;
                }

                return false;
            }

            _last[key] = readAt;
            return true;
        }
    }

    private void Forget()
    {
        foreach (var key in _last.Where(p => _newest - p.Value > Window).Select(p => p.Key).ToList())
        {
            _last.Remove(key);
        }

        if (_last.Count >= MaxRemembered)
        {
            _last.Clear();
        }
    }
}
