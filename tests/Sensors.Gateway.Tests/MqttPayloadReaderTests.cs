using Sensors.Gateway.Sources.Mqtt;
using Sensors.Pipeline;
using System.Text;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Sources;

namespace Sensors.Gateway.Tests;

public class MqttPayloadReaderTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    private static readonly MqttSubscriptionOptions BinFill = new()
    {
        Topic = "bins/+/+/fill",
        Measurement = "bin_fill",
        Tags = new() { ["site"] = "{topic:1}", ["bin_id"] = "{topic:2}", ["device_model"] = "$.device.model", ["source"] = "mqtt" },
        Fields = new() { ["fill_pct"] = "$.fill", ["battery_pct"] = "$.device.battery", ["temperature_c"] = "$.readings[0].t" },
        Timestamp = "$.time",
    };

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Json_FieldsAndTagsFromPathsAndTopicLevels()
    {
        var reading = MqttPayloadReader.Map(BinFill, "bins/depot-nord/B-0042/fill", Utf8("""{"fill":73.5,"device":{"model":"EM310-UDL","battery":91},"readings":[{"t":4.5}],"time":"2026-11-24T07:59:30Z"}"""), Received);

        Assert.Equal("bin_fill", reading.Measurement);
        Assert.Equal("depot-nord", reading.Tag("site"));
        Assert.Equal("B-0042", reading.Tag("bin_id"));
        Assert.Equal("EM310-UDL", reading.Tag("device_model"));
        Assert.Equal("mqtt", reading.Tag("source"));
        Assert.Equal(73.5, reading.Field("fill_pct")!.Value.AsFloat);
        Assert.Equal(91.0, reading.Field("battery_pct")!.Value.AsFloat);
        Assert.Equal(4.5, reading.Field("temperature_c")!.Value.AsFloat);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 7, 59, 30, TimeSpan.Zero), reading.Timestamp);
    }

    [Theory]
    [InlineData("1795507170", 0)]
    [InlineData("1795507170123", 123)]
    [InlineData("1795507170123456", 123)]
    [InlineData("1795507170123456789", 123)]
    public void Json_UnixTimestamps_InSecondsMillisecondsMicrosecondsOrNanoseconds(string value, int milliseconds)
    {
        var reading = MqttPayloadReader.Map(BinFill, "bins/s/b/fill", Utf8($$"""{"fill":1,"device":{"model":"m"},"time":{{value}}}"""), Received);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795507170).AddMilliseconds(milliseconds), new DateTimeOffset(reading.Timestamp.UtcTicks - (reading.Timestamp.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero));
    }

    [Fact]
    public void Json_MissingOptionalFields_AreLeftOut_AndNoTimestampPathMeansTimeReceived()
    {
        var subscription = new MqttSubscriptionOptions { Topic = "t", Measurement = "lamp", Fields = new() { ["dim_pct"] = "$.dim", ["power_w"] = "$.power" } };
        var reading = MqttPayloadReader.Map(subscription, "t", Utf8("""{"dim":40}"""), Received);
        Assert.Single(reading.Fields.ToArray());
        Assert.Equal(Received, reading.Timestamp);
    }

    [Fact]
    public void Number_PayloadBecomesTheNamedField()
    {
        var subscription = new MqttSubscriptionOptions { Topic = "lamps/+/power", Format = PayloadFormat.Number, Measurement = "lamp", Field = "power_w", Tags = new() { ["lamp_id"] = "{topic:1}" } };
        var reading = MqttPayloadReader.Map(subscription, "lamps/L-7/power", Utf8(" 38.25\n"), Received);
        Assert.Equal(38.25, reading.Field("power_w")!.Value.AsFloat);
        Assert.Equal("L-7", reading.Tag("lamp_id"));
    }

    [Theory]
    [InlineData("{\"fill\":", "not JSON")]
    [InlineData("{\"other\":1,\"time\":1}", "none of the mapped fields")]
    [InlineData("{\"fill\":{\"a\":1},\"device\":{\"model\":\"m\"},\"time\":1}", "not a number")]
    [InlineData("{\"fill\":1,\"device\":{\"model\":\"m\"},\"time\":\"yesterday\"}", "not a time")]
    [InlineData("{\"fill\":1,\"time\":1}", "nothing at $.device.model")]
    [InlineData("{\"fill\":1,\"device\":{\"model\":\"a\\nb\"},\"time\":1}", "control character")]
    public void UnreadableJson_SaysWhy(string payload, string reason)
    {
        var error = Assert.Throws<UnreadablePayloadException>(() => MqttPayloadReader.Map(BinFill, "bins/s/b/fill", Utf8(payload), Received));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Number_NotANumber_SaysWhatCame()
    {
        var subscription = new MqttSubscriptionOptions { Topic = "x", Format = PayloadFormat.Number, Measurement = "m", Field = "f" };
        Assert.Contains("'NaN'", Assert.Throws<UnreadablePayloadException>(() => MqttPayloadReader.Map(subscription, "x", Utf8("NaN"), Received)).Message);
        Assert.Contains("not UTF-8", Assert.Throws<UnreadablePayloadException>(() => MqttPayloadReader.Map(subscription, "x", [0xC3, 0x28], Received)).Message);
    }

    [Fact]
    public void TopicLevelBeyondTheTopic_SaysSo() =>
        Assert.Contains("topic level", Assert.Throws<UnreadablePayloadException>(() => MqttPayloadReader.Map(BinFill, "bins/s", Utf8("""{"fill":1,"device":{"model":"m"},"time":1}"""), Received)).Message);
}
