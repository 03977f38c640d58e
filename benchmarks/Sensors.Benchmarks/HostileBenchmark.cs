using System.Diagnostics;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Benchmarks;

/// <summary>
/// The hostile-input suite at length (the CI test runs it for a few rounds): at least the given
/// number of messages through the real gateway, half with the gateway on MQTT 3.1.1 and half on
/// 5.0, every kind of trouble in every format, each followed by a canary. Prints the counts, the
/// canaries, the restarts and both equations; the baseline is the same run's canaries, which must
/// all land.
/// </summary>
internal static class HostileBenchmark
{
    private const int MessagesPerRound = (4 * 15 * 2) + (2 * 15 * 2);

    public static async Task RunAsync(int messages)
    {
        Console.WriteLine($"Hostile input: {messages} messages (ChirpStack, The Things Stack, JSON mapping, pickups; MQTT 3.1.1, 5.0, HTTP)");
        foreach (var (version, seed) in new[] { (MqttProtocolVersion.V311, 1311), (MqttProtocolVersion.V500, 1500) })
        {
            var rounds = Math.Max(1, messages / 2 / MessagesPerRound);
            var watch = Stopwatch.StartNew();
            var result = await HostileSuite.RunAsync(new HostileSuiteOptions(version, rounds, seed) { CanaryDeadline = TimeSpan.FromSeconds(60) }, line =>
            {
                if (line.Contains("/", StringComparison.Ordinal) && watch.Elapsed.TotalSeconds % 10 < 0.5)
                {
                    Console.WriteLine($"  {line}");
                }
            });
            var m = result.Messages;
            var r = result.Readings;
            var ok = result.CanariesLanded == result.CanariesSent && result.SourceRestarts == 0
                && m.Received == m.Read + m.SetAside + m.Refused && m.Received == result.MqttSent + result.HttpSent
                && r.Given == r.TakenIn && r.AllTakenIn == r.Delivered + r.DeadLettered + r.Dropped + r.RefusedForTime + r.Pending;
            Console.WriteLine($"MQTT {(version == MqttProtocolVersion.V500 ? "5.0" : "3.1.1")}, seed {seed}, {rounds} rounds: {(ok ? "every count adds up" : "COUNTS DO NOT ADD UP")}");
            Console.WriteLine(result.ToString());
            Console.WriteLine($"  {(result.MqttSent + result.HttpSent) / result.Elapsed.TotalSeconds:0} messages/s end to end (publisher waits for each PUBACK and each HTTP answer); unreadable store: {result.Unreadable.Count} records");
            Console.WriteLine();
        }
    }
}
