using Sensors.Influx;

namespace Sensors.Influx.Tests;

public class InfluxAnswerTests
{
    [Theory]
    [InlineData(204, AnswerKind.Delivered)]
    [InlineData(200, AnswerKind.Delivered)]
    [InlineData(400, AnswerKind.Rejected)]
    [InlineData(422, AnswerKind.Rejected)]
    [InlineData(401, AnswerKind.Unauthorized)]
    [InlineData(403, AnswerKind.Unauthorized)]
    [InlineData(404, AnswerKind.NotFound)]
    [InlineData(413, AnswerKind.TooLarge)]
    [InlineData(429, AnswerKind.Throttled)]
    [InlineData(503, AnswerKind.Throttled)]
    [InlineData(500, AnswerKind.Unavailable)]
    [InlineData(502, AnswerKind.Unavailable)]
    [InlineData(405, AnswerKind.Misconfigured)]
    public void Classify_EveryStatus_HasOneMeaning(int status, AnswerKind kind) =>
        Assert.Equal(kind, InfluxAnswer.Classify(status, null, null).Kind);

    [Fact]
    public void Reason_IsTheV1ErrorText()
    {
        var answer = InfluxAnswer.Classify(400, "{\"error\":\"partial write: field type conflict dropped=1\"}", null);
        Assert.Equal("partial write: field type conflict dropped=1", answer.Reason);
    }

    [Fact]
    public void Reason_IsTheV2MessageText()
    {
        var answer = InfluxAnswer.Classify(400, "{\"code\":\"invalid\",\"message\":\"unable to parse 'x': missing fields\"}", null);
        Assert.Equal("unable to parse 'x': missing fields", answer.Reason);
    }

    [Fact]
    public void Reason_OfAnHtmlProxyPage_IsShortenedToOneLine()
    {
        var page = "<html>\n<body>" + new string('x', 2000) + "</body>\n</html>";
        var answer = InfluxAnswer.Classify(502, page, null);
        Assert.DoesNotContain('\n', answer.Reason);
        Assert.True(answer.Reason.Length <= 501);
    }

    [Fact]
    public void Reason_OfAnEmptyBody_NamesTheStatus() =>
        Assert.Equal("HTTP 401 Unauthorized", InfluxAnswer.Classify(401, "", null).Reason);

    [Fact]
    public void RetryAfter_IsReadAsSecondsOrDate()
    {
        var now = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
        using var seconds = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), InfluxAnswer.RetryAfterFrom(seconds, now));

        using var date = new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);
        date.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddMinutes(2));
        Assert.Equal(TimeSpan.FromMinutes(2), InfluxAnswer.RetryAfterFrom(date, now));
    }
}
