using System.Runtime.InteropServices;

namespace Sensors.Pipeline.Clock;

/// <summary>The seam to the operating system: is the wall clock synchronised?</summary>
public interface IClockSync
{
    bool IsSynchronised { get; }
}

/// <summary>Trusts the clock (<see cref="ClockSyncSource.Assume"/>).</summary>
public sealed class AssumedClockSync : IClockSync
{
    public bool IsSynchronised => true;
}

/// <summary>
/// Asks the kernel with adjtimex(2) in read-only mode (modes = 0). Its answer is TIME_ERROR (5)
/// while the STA_UNSYNC status bit is set, which is how Linux boots and what systemd-timesyncd,
/// chrony and ntpd clear once they have set the clock (the same flag `timedatectl` shows as
/// "System clock synchronized"). A clock before <paramref name="notBefore"/> is never
/// synchronised, whatever the kernel says.
/// </summary>
public sealed partial class KernelClockSync(TimeProvider time, DateTimeOffset notBefore) : IClockSync
{
    private const int TimeError = 5;

    public bool IsSynchronised => time.GetUtcNow() >= notBefore && KernelState() is int state and >= 0 and not TimeError;

    /// <summary>The kernel's clock state (0 TIME_OK … 5 TIME_ERROR), or -1 if it cannot be asked.</summary>
    public static int KernelState()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        // struct timex is 208 bytes on 64-bit Linux (and smaller on 32-bit); all zero means "read only".
        Span<byte> timex = stackalloc byte[512];
        timex.Clear();
        try
        {
            unsafe
            {
                fixed (byte* buffer = timex)
                {
                    return Adjtimex(buffer);
                }
            }
        }
        catch (EntryPointNotFoundException)
        {
            return -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
    private static unsafe partial int Adjtimex(byte* timex);
}
