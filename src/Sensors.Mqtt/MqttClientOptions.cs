using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt;

/// <summary>TLS towards the broker (SslStream): the broker's CA, and a client certificate for mutual TLS.</summary>
public sealed class MqttTlsOptions
{
    /// <summary>PEM file of the CA that signed the broker's certificate; empty means the system's trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM certificate and key of this client, for brokers that ask for one (mutual TLS).</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>The name the broker's certificate must carry; empty means the host name.</summary>
    public string? ServerName { get; set; }
}

public sealed class MqttClientOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public MqttProtocolVersion Version { get; set; } = MqttProtocolVersion.V500;

    /// <summary>Must be stable across restarts for a persistent session to find its messages.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>false: resume the session the broker kept (QoS 1/2 messages queued while we were away).</summary>
    public bool CleanStart { get; set; } = true;

    /// <summary>5.0: how long the broker keeps the session after a disconnect (3.1.1 keeps it until a clean connect).</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.Zero;

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);
    public string? Username { get; set; }
    public string? Password { get; set; }
    public MqttWill? Will { get; set; }
    public MqttTlsOptions? Tls { get; set; }

    /// <summary>Acknowledge inbound QoS 1/2 messages as soon as they are queued. Off: the application calls AcknowledgeAsync once it has stored them.</summary>
    public bool AutoAcknowledge { get; set; } = true;

    /// <summary>5.0: QoS 1/2 messages the broker may send before we acknowledge (our Receive Maximum).</summary>
    public ushort ReceiveMaximum { get; set; } = 1000;

    /// <summary>
    /// Largest packet kept from the broker. A PUBLISH over it is read past and delivered without its
    /// payload (<see cref="MqttMessage.OversizeBytes"/>); any other packet over it ends the connection.
    /// Not announced to a 5.0 broker, which would drop such a message unseen.
    /// </summary>
    public int MaximumPacketSize { get; set; } = 1024 * 1024;

    /// <summary>5.0: topic aliases the broker may use towards us.</summary>
    public ushort TopicAliasMaximum { get; set; } = 100;

    /// <summary>Outbound QoS 1/2 messages in flight at once (capped by the broker's Receive Maximum).</summary>
    public int MaxOutboundInFlight { get; set; } = 100;

    /// <summary>Messages received but not yet taken by the application; past it the connection is read more slowly.</summary>
    public int InboundQueueCapacity { get; set; } = 10_000;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Where the broker is, for log lines.</summary>
    public string Describe() => $"{(Tls is null ? "mqtt" : "mqtts")}://{Host}:{Port} (MQTT {(Version == MqttProtocolVersion.V500 ? "5.0" : "3.1.1")}, client '{ClientId}')";
}
