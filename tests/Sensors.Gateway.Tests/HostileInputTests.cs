using Sensors.Mqtt.Packets;
using Sensors.Testing;
using Xunit.Abstractions;

namespace Sensors.Gateway.Tests;

/// <summary>
/// The hostile-input suite, bounded for CI (seeded, reproducible): the real gateway fed every kind
/// of trouble in every format over MQTT (3.1.1 and 5.0) and HTTP, each message followed by a canary.
/// No message may stop a source: every canary lands, no source restarts, and every count adds up.
/// The long run (≥ 100,000 messages) is the benchmark `hostile`.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311, 311)]
    [InlineData(MqttProtocolVersion.V500, 500)]
    public async Task EveryKindOfBadMessage_IsSetAside_TheCanaryBehindItLands_AndTheCountsAddUp(MqttProtocolVersion version, int seed)
    {
        var result = await HostileSuite.RunAsync(new HostileSuiteOptions(version, Rounds: 2, Seed: seed), output.WriteLine);
        output.WriteLine(result.ToString());

        Assert.True(result.CanariesLanded == result.CanariesSent, $"{result.CanariesLanded} of {result.CanariesSent} canaries landed\n{result}\n{Tail(result.GatewayOutput)}");
        Assert.Equal(0, result.SourceRestarts);
        Assert.DoesNotContain("failed (", result.GatewayOutput, StringComparison.Ordinal); // "Source … failed (Type: reason); restarting it"
        Assert.All(HostileInputs.Kinds, kind => Assert.True(result.SentByKind.GetValueOrDefault(kind) >= 8, $"{kind} sent {result.SentByKind.GetValueOrDefault(kind)} times"));

        var messages = result.Messages;
        Assert.Equal(result.MqttSent + result.HttpSent, messages.Received);
        Assert.Equal(messages.Received, messages.Read + messages.SetAside + messages.Refused);
        Assert.True(messages.SetAside >= result.SentByKind.Values.Sum() / 2, $"only {messages.SetAside} set aside"); // most kinds cannot be read
        Assert.Equal(result.HttpAnswers.GetValueOrDefault(202), result.Metric("sensors_messages_unreadable_total{source=\"webhook\"}"));
        Assert.True(result.HttpAnswers.GetValueOrDefault(413) >= 4, "oversize bodies answered 413");
        Assert.Equal(result.HttpSent, result.HttpAnswers.Values.Sum()); // a status line for every request, never a silent close

        var readings = result.Readings;
        Assert.Equal(readings.Given, readings.TakenIn);
        Assert.Equal(0, readings.Pending);
        Assert.Equal(readings.AllTakenIn, readings.Delivered + readings.DeadLettered + readings.Dropped + readings.RefusedForTime);
        Assert.True(result.Metric("sensors_clock_refused_readings_total{reason=\"after_max_future\"}") + result.Metric("sensors_clock_refused_readings_total{reason=\"before_not_before\"}") > 0, "out-of-range times refused for their time");

        // Each message set aside is kept with its reason (the oversize ones without their payload).
        Assert.Equal(messages.SetAside, result.Unreadable.Count);
        Assert.True(result.Unreadable.Count(l => l.Contains("over Mqtt:MaxMessageBytes", StringComparison.Ordinal) && l.Contains("\"Payload\":null", StringComparison.Ordinal)) >= 8, "oversize MQTT messages recorded with topic and size");
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];
}
