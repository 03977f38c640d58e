using Sensors.Mqtt;

namespace Sensors.Mqtt.Tests;

public class MqttTopicTests
{
    [Theory]
    // The examples of MQTT 5.0 §4.7.1.2 and §4.7.1.3, and §4.7.2 for '$' topics.
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("#", "sport/tennis", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("#", "$SYS/broker/uptime", false)]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/broker/uptime", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    [InlineData("$share/gateways/bins/+/up", "bins/b-12/up", true)]
    [InlineData("application/+/device/+/event/up", "application/7/device/a84041000181c6f1/event/up", true)]
    public void Matches_FollowsTheSpecExamples(string filter, string topic, bool expected) =>
        Assert.Equal(expected, MqttTopic.Matches(filter, topic));

    [Theory]
    [InlineData("sport/tennis#")]
    [InlineData("sport/tennis/#/ranking")]
    [InlineData("sport+")]
    [InlineData("")]
    [InlineData("$share/g")]
    [InlineData("$share//t")]
    [InlineData("$share/g+/t")]
    public void InvalidFilters_AreNamed(string filter) => Assert.NotNull(MqttTopic.FilterProblem(filter));

    [Theory]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("a/+/b/#")]
    [InlineData("$share/gw/v3/+/devices/+/up")]
    public void ValidFilters_Pass(string filter) => Assert.Null(MqttTopic.FilterProblem(filter));
}
