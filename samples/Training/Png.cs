using System;
using System.IO;
using System.IO.Compression;

namespace Samples.Training;

/// <summary>
/// A minimal PNG encoder for 8-bit RGB images, so that the SVG figures can hold pictures as one small embedded image
/// each rather than a rectangle per pixel (a grid of noisy 28 × 28 images would otherwise be megabytes).
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>
    /// Encodes <paramref name="rgb"/> (row-major, three bytes a pixel) of <paramref name="width"/> × <paramref name="height"/>.
    /// </summary>
    public static byte[] EncodeRgb(byte[] rgb, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"{rgb.Length} bytes are not a {width} × {height} RGB image.", nameof(rgb));
        }

        // Each row is preceded by its filter type, 0 (none).
        var raw = new byte[height * (1 + width * 3)];
        for (int row = 0; row < height; row++)
        {
            Array.Copy(rgb, row * width * 3, raw, row * (1 + width * 3) + 1, width * 3);
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        WriteBigEndian(header, 0, (uint)width);
        WriteBigEndian(header, 4, (uint)height);
        header[8] = 8; // bits per channel
        header[9] = 2; // colour type: RGB
        using var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        var typeAndData = new byte[4 + data.Length];
        for (int i = 0; i < 4; i++)
        {
            typeAndData[i] = (byte)type[i];
        }

        data.CopyTo(typeAndData, 4);
        var word = new byte[4];
        WriteBigEndian(word, 0, (uint)data.Length);
        png.Write(word);
        png.Write(typeAndData);
        WriteBigEndian(word, 0, Crc(typeAndData));
        png.Write(word);
    }

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    /// <summary>The CRC-32 of the PNG specification (ISO 3309, polynomial 0xEDB88320 reflected).</summary>
    private static uint Crc(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFF;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
