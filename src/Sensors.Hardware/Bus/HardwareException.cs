namespace Sensors.Hardware.Bus;

/// <summary>What went wrong on a bus or with a sensor, in the terms an installer acts on.</summary>
public enum HardwareFault
{
    /// <summary>The bus's device file is missing: I2C or the UART is not enabled, or the adapter is unplugged.</summary>
    BusMissing,

    /// <summary>The service user may not open the device file.</summary>
    PermissionDenied,

    /// <summary>Nothing answered at the address (NACK), or the serial sensor stayed silent: unplugged, wrong address or port, no power.</summary>
    NoAnswer,

    /// <summary>Another transfer holds the bus, or the sensor is still executing a command.</summary>
    Busy,

    /// <summary>A checksum (CRC) did not match: noise on long wires, a loose contact.</summary>
    Checksum,

    /// <summary>The answer does not follow the protocol (wrong length, wrong header).</summary>
    Protocol,

    /// <summary>The sensor refused the command or reported an error.</summary>
    Refused,
}

/// <summary>A bus or sensor failure, with where it happened and what to do, in one line.</summary>
public sealed class HardwareException(HardwareFault fault, string message, Exception? inner = null) : Exception(message, inner)
{
    public HardwareFault Fault { get; } = fault;
}
