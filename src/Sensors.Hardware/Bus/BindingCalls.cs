namespace Sensors.Hardware.Bus;

/// <summary>
/// Calls into a .NET IoT binding with our fault classification kept: our
/// <see cref="HardwareException"/> (raised by our Linux access or an emulator under the seam)
/// passes unchanged; what the binding raises itself becomes one, naming the device and what to
/// check. Blocking bindings (Thread.Sleep while the chip measures) run off the caller's thread.
/// </summary>
public static class BindingCalls
{
    public static T Run<T>(string describe, string model, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception error) when (error is not HardwareException and not OperationCanceledException)
        {
            throw Translate(describe, model, error);
        }
    }

    public static Task<T> RunBlockingAsync<T>(string describe, string model, Func<T> call, CancellationToken cancellationToken) =>
        Task.Run(() => Run(describe, model, call), cancellationToken);

    public static async Task<T> RunAsync<T>(string describe, string model, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception error) when (error is not HardwareException and not OperationCanceledException)
        {
            throw Translate(describe, model, error);
        }
    }

    private static HardwareException Translate(string describe, string model, Exception error) => error is IOException
        ? new HardwareException(HardwareFault.NoAnswer, $"{describe}: no answer from the {model} ({error.Message}). Check its wiring (SDA, SCL, 3.3 V, GND) and the address; `sensors doctor` lists what answers.", error)
        : new HardwareException(HardwareFault.Protocol, $"{describe}: the {model} driver refused the answer ({error.Message}): is it really a {model} at this address?", error);
}
