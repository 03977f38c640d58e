using Sensors.Core;
using Sensors.Influx;

namespace Sensors.Influx.Tests;

public class InfluxEndpointTests
{
    [Fact]
    public void V1_WritesToDatabaseWithRetentionPolicyAndPrecision()
    {
        var endpoint = new InfluxEndpoint(new InfluxOptions { Url = new Uri("http://influx.local:8086"), Database = "écoles", RetentionPolicy = "one year", Precision = Precision.Milliseconds });
        Assert.Equal("http://influx.local:8086/write?db=%C3%A9coles&rp=one%20year&precision=ms", endpoint.WriteUri.AbsoluteUri);
    }

    [Fact]
    public void V2_WritesToOrgAndBucket_UnderAProxyPath()
    {
        var endpoint = new InfluxEndpoint(new InfluxOptions { Url = new Uri("https://data.city.example/influx/"), Api = InfluxApi.V2, Org = "ville", Bucket = "sensors", Token = "t", Precision = Precision.Microseconds });
        Assert.Equal("https://data.city.example/influx/api/v2/write?org=ville&bucket=sensors&precision=us", endpoint.WriteUri.AbsoluteUri);
        Assert.Equal("https://data.city.example/influx/query", endpoint.QueryUri.AbsoluteUri);
    }

    [Fact]
    public void Token_IsSentAsTokenAuthorization_AndUserPasswordAsBasic()
    {
        var token = new InfluxEndpoint(new InfluxOptions { Url = new Uri("http://h"), Database = "d", Token = "s3cret" });
        using var withToken = token.WriteRequest(new byte[1], gzipped: true);
        Assert.Equal("Token s3cret", withToken.Headers.Authorization!.ToString());
        Assert.Contains("gzip", withToken.Content!.Headers.ContentEncoding);

        var basic = new InfluxEndpoint(new InfluxOptions { Url = new Uri("http://h"), Database = "d", Username = "gw", Password = "pw" });
        using var withBasic = basic.WriteRequest(new byte[1], gzipped: false);
        Assert.Equal("Basic Z3c6cHc=", withBasic.Headers.Authorization!.ToString());
        Assert.Empty(withBasic.Content!.Headers.ContentEncoding);
    }

    [Fact]
    public void UnsignedFields_AreIntegers_ForV1_AndNative_ForV2()
    {
        Assert.True(new InfluxOptions { Api = InfluxApi.V1 }.Encoding.UnsignedAsInteger);
        Assert.False(new InfluxOptions { Api = InfluxApi.V2 }.Encoding.UnsignedAsInteger);
        Assert.False(new InfluxOptions { Api = InfluxApi.V1, UnsignedAsInteger = false }.Encoding.UnsignedAsInteger);
    }

    [Fact]
    public void Validate_NamesEachWrongKey()
    {
        var errors = new InfluxOptions { Url = new Uri("ftp://h"), Api = InfluxApi.V2, Username = "u", BatchMaxPoints = 0, RequestTimeout = TimeSpan.Zero }.Validate();
        Assert.Contains(errors, e => e.StartsWith("Influx:Url = 'ftp://h/'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Influx:Org is missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Influx:Bucket is missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Influx:Token is missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Influx:Username and Influx:Password go together", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Influx:BatchMaxPoints = 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Influx:RequestTimeout = 00:00:00", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NoUrl_IsValid_BecauseTheGatewayRunsWithoutADatabase() =>
        Assert.Empty(new InfluxOptions().Validate());
}
