using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Pipeline.Metrics;

namespace Sensors.Gateway.Status;

/// <summary>
/// What a classroom's indicator shows, as the status page and /metrics tell it: the colour and the
/// ppm it was given, its words, the buzzer, whether its button muted it, and the device's problem
/// when it cannot show anything (unplugged, a wrong pin).
/// </summary>
public sealed record IndicatorState(string Site, string Room, string Describe, LightShown Light, double? Ppm, string French, string English, bool Buzzer, bool Muted, string? Problem);

/// <summary>
/// Each classroom indicator's state, set by the indicator service, shown on the status page and on
/// /metrics: <c>sensors_indicator_light{light=…}</c> (1 for what it shows, 0 for the other
/// colours), <c>sensors_indicator_buzzer</c> and <c>sensors_indicator_up</c> (0 while the device
/// does not answer).
/// </summary>
public sealed class IndicatorBoard : IInstrumented
{
    private readonly ConcurrentDictionary<(string Site, string Room), IndicatorState> _rooms = new();

    public void Report(IndicatorState state) => _rooms[(state.Site, state.Room)] = state;

    public IndicatorState? Of(string site, string room) => _rooms.TryGetValue((site, room), out var state) ? state : null;

    public IReadOnlyList<IndicatorState> Snapshot() => _rooms.Values.OrderBy(s => s.Site, StringComparer.Ordinal).ThenBy(s => s.Room, StringComparer.Ordinal).ToList();

    /// <summary>The colour's name in metrics and on the page's data attribute: off, grey, green, orange, red.</summary>
    public static string Name(LightShown light) => light.ToString().ToLowerInvariant();

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("sensors_indicator_light", () => Snapshot().SelectMany(s => Enum.GetValues<LightShown>()
                .Select(light => Measure.Of(light == s.Light ? 1 : 0, ("site", s.Site), ("room", s.Room), ("light", Name(light))))),
            description: "1 for the colour each classroom indicator shows now (off, grey, green, orange, red), 0 for the others.");
        meter.CreateObservableGauge("sensors_indicator_buzzer", () => Snapshot().Select(s => Measure.Of(s.Buzzer ? 1 : 0, ("site", s.Site), ("room", s.Room))),
            description: "1 while a classroom indicator's buzzer sounds.");
        meter.CreateObservableGauge("sensors_indicator_up", () => Snapshot().Select(s => Measure.Of(s.Problem is null ? 1 : 0, ("site", s.Site), ("room", s.Room))),
            description: "1 when a classroom indicator answers, 0 while it cannot show anything (unplugged, a wrong pin).");
    }
}
