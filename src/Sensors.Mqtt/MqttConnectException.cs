using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt;

/// <summary>The broker refused the connection (CONNACK with an error), with its reason in words.</summary>
public sealed class MqttConnectException(byte reasonCode, MqttProtocolVersion version, string broker, string? serverReason = null)
    : Exception($"{broker} refused the connection: {Describe(reasonCode, version)}{(serverReason is null ? string.Empty : $" ({serverReason})")}")
{
    public byte ReasonCode => reasonCode;

    /// <summary>True when retrying cannot help until a human changes something (credentials, rights, client id, version).</summary>
    public bool IsPermanent => version == MqttProtocolVersion.V311
        ? reasonCode is 1 or 2 or 4 or 5
        : reasonCode is 0x84 or 0x85 or 0x86 or 0x87 or 0x8A or 0x8C;

    /// <summary>CONNACK return codes (3.1.1 §3.2.2.3) and reason codes (5.0 §3.2.2.2) in words.</summary>
    public static string Describe(byte code, MqttProtocolVersion version) => version == MqttProtocolVersion.V311
        ? code switch
        {
            1 => "unacceptable protocol version (the broker does not speak MQTT 3.1.1)",
            2 => "client identifier rejected",
            3 => "server unavailable",
            4 => "bad user name or password",
            5 => "not authorised",
            _ => $"return code {code}",
        }
        : code switch
        {
            0x80 => "unspecified error",
            0x81 => "malformed packet",
            0x82 => "protocol error",
            0x83 => "implementation specific error",
            0x84 => "unsupported protocol version (the broker does not speak MQTT 5.0)",
            0x85 => "client identifier not valid",
            0x86 => "bad user name or password",
            0x87 => "not authorised",
            0x88 => "server unavailable",
            0x89 => "server busy",
            0x8A => "banned",
            0x8C => "bad authentication method",
            0x90 => "topic name invalid",
            0x95 => "packet too large",
            0x97 => "quota exceeded",
            0x99 => "payload format invalid",
            0x9A => "retain not supported",
            0x9B => "QoS not supported",
            0x9C => "use another server",
            0x9D => "server moved",
            0x9F => "connection rate exceeded",
            _ => $"reason code 0x{code:X2}",
        };
}
