using System.Security.Cryptography;
using System.Text;

namespace Sensors.LoRaWan.Pickups;

/// <summary>
/// A bin's RFID chip id points to a household: it never leaves the gateway in clear. It becomes
/// HMAC-SHA256(key, chip id), cut to 128 bits and written in hex: the same chip always gives the
/// same pseudonym under one key (pickups per bin can be counted), and without the key nobody can
/// go back from the pseudonym to the chip, nor test a guessed chip id against it. The key comes
/// from a file or the environment and is never logged. Rotating it (deploy/README.md) gives every
/// bin a new pseudonym from then on.
/// </summary>
public sealed class ChipPseudonymiser
{
    /// <summary>128 bits of key at least (32 hex digits, or 16 characters of text).</summary>
    public const int MinKeyBytes = 16;

    private readonly byte[] _key;

    /// <summary><paramref name="version"/>: which key this is (Pickups:KeyVersion, "2026" or "2"), written beside every pseudonym so that billing knows which key made it after a rotation.</summary>
    public ChipPseudonymiser(byte[] key, string version = DefaultVersion)
    {
        if (!IsVersion(version))
        {
            throw new ArgumentException($"the key version '{version}' is not a short name (letters, digits, dots and dashes, up to 32), e.g. 2026 or 2.", nameof(version));
        }

        Version = version;
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"the pseudonymisation key has {key.Length} bytes; at least {MinKeyBytes} are needed (generate one with: openssl rand -hex 32).", nameof(key));
        }

        _key = [.. key];
    }

    public const string DefaultVersion = "1";

    /// <summary>Which key this is: the <c>key_version</c> tag of every pickup.</summary>
    public string Version { get; }

    public static bool IsVersion(string? text) => text is { Length: > 0 and <= 32 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-');

    /// <summary>The key as written in its file or variable: hex digits are read as bytes, anything else as UTF-8 text.</summary>
    public static byte[] ParseKey(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length % 2 == 0 && trimmed.Length > 0 && trimmed.All(Uri.IsHexDigit)
            ? Convert.FromHexString(trimmed)
            : Encoding.UTF8.GetBytes(trimmed);
    }

    /// <summary>"E2 00:00-17…" and "e2000017…" are one chip: separators dropped, hex upper-cased.</summary>
    public static string Normalise(string chipId)
    {
        var text = new StringBuilder(chipId.Length);
        foreach (var c in chipId.Trim())
        {
            if (c is not (' ' or ':' or '-'))
            {
                text.Append(char.ToUpperInvariant(c));
            }
        }

        return text.ToString();
    }

    /// <summary>32 lower-case hex digits standing for the chip.</summary>
    public string Pseudonym(string chipId)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(Normalise(chipId)), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
