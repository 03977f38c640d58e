using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Mqtt.Tests;

/// <summary>Password files and TLS on a real Mosquitto, certificates made by openssl in the fixture.</summary>
public sealed class MqttSecurityTests
{
    public static TheoryData<MqttProtocolVersion> Versions() => [MqttProtocolVersion.V311, MqttProtocolVersion.V500];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task PasswordFile_RightPasswordConnects_WrongOneIsAClearPermanentRefusal(MqttProtocolVersion version)
    {
        using var broker = new MosquittoServer(users: new Dictionary<string, string> { ["gateway-ecole"] = "c0rrect" });

        await using (var ok = await Clients.ConnectAsync(broker, version, "auth", o => (o.Username, o.Password) = ("gateway-ecole", "c0rrect")))
        {
            Assert.True(ok.IsConnected);
        }

        var refused = new MqttClient(Clients.Options(broker, version, "auth", o => (o.Username, o.Password) = ("gateway-ecole", "wrong")));
        var error = await Assert.ThrowsAsync<MqttConnectException>(() => refused.ConnectAsync());
        Assert.True(error.IsPermanent);
        Assert.Matches("bad user name or password|not authorised", error.Message);
        Assert.Contains($"127.0.0.1:{broker.Port}", error.Message);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Tls_WithTheBrokersCa_ConnectsAndCarriesMessages(MqttProtocolVersion version)
    {
        using var broker = new MosquittoServer(tls: true);
        void Tls(MqttClientOptions o)
        {
            o.Port = broker.TlsPort;
            o.Host = "localhost";
            o.Tls = new MqttTlsOptions { CaFile = broker.CaFile };
        }

        await using var subscriber = await Clients.ConnectAsync(broker, version, "tls-sub", Tls);
        await subscriber.SubscribeAsync([new MqttSubscription("secure/#")]);
        await using var publisher = await Clients.ConnectAsync(broker, version, "tls-pub", Tls);
        await publisher.PublishAsync("secure/a", Clients.Bytes("chiffré"), MqttQos.AtLeastOnce);
        Assert.Equal("chiffré", Assert.Single(await Clients.ReceiveAsync(subscriber, 1)).Text());
    }

    [Fact]
    public async Task Tls_WithoutTheCa_IsRefused_TheBrokerIsNotTrusted()
    {
        using var broker = new MosquittoServer(tls: true);
        var client = new MqttClient(Clients.Options(broker, MqttProtocolVersion.V500, "untrusting", o =>
        {
            o.Port = broker.TlsPort;
            o.Host = "localhost";
            o.Tls = new MqttTlsOptions(); // the system's trust store does not know the test CA
        }));
        await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => client.ConnectAsync());
    }

    [Fact]
    public async Task Tls_HostNameMustMatchTheCertificate()
    {
        using var broker = new MosquittoServer(tls: true);
        var client = new MqttClient(Clients.Options(broker, MqttProtocolVersion.V500, "wrong-name", o =>
        {
            o.Port = broker.TlsPort;
            o.Tls = new MqttTlsOptions { CaFile = broker.CaFile, ServerName = "broker.example.org" };
        }));
        await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => client.ConnectAsync());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task MutualTls_ClientCertificateIsRequired_AndAccepted(MqttProtocolVersion version)
    {
        using var broker = new MosquittoServer(tls: true, requireClientCertificate: true);
        var anonymous = new MqttClient(Clients.Options(broker, version, "no-cert", o =>
        {
            o.Port = broker.TlsPort;
            o.Host = "localhost";
            o.Tls = new MqttTlsOptions { CaFile = broker.CaFile };
        }));
        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.ConnectAsync());

        await using var client = await Clients.ConnectAsync(broker, version, "with-cert", o =>
        {
            o.Port = broker.TlsPort;
            o.Host = "localhost";
            o.Tls = new MqttTlsOptions { CaFile = broker.CaFile, ClientCertificateFile = broker.ClientCertificateFile, ClientKeyFile = broker.ClientKeyFile };
        });
        Assert.True(client.IsConnected);
    }
}
