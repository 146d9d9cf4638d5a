namespace Oversight.Domain;

/// <summary>
/// A unit's own counters by day as one compact blob for its checkpoint. A day's vector has
/// <see cref="LoadCounters.Width"/> slots and a unit's day usually holds two or three that are not
/// zero, so a day is written as the step from the day before (days ascend), a mask of its
/// non-zero slots, and those slots alone (variable-length integers, signed values zigzagged); days that are all zero
/// are left out. The general serializer wrote every slot of every day with a field header, after
/// the counters were first copied into arrays for it (<see cref="PeriodCounters.ToDelta"/>): on a
/// large tree, every changed unit did both every 10 s.
/// </summary>
public static class DayCountersCodec
{
    private const byte Version = 1;

    /// <summary>The most bytes one day can take: its step, its mask and every slot at full length.</summary>
    private const int MaxDayBytes = 5 + 3 + LoadCounters.Width * 10;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int[]? t_days;

    /// <summary>Encodes the counters (an empty blob when every day is all zero).</summary>
    public static byte[] Encode(PeriodCounters counters)
    {
        var table = counters.Table;
        if (table.Count == 0)
        {
            return [];
        }

        var days = t_days is { } d && d.Length >= table.Count ? d : t_days = new int[Math.Max(table.Count, 64)];
        table.Keys.AsSpan().CopyTo(days);
        Array.Sort(days, 0, table.Count);
        var need = 1 + table.Count * MaxDayBytes;
        var buffer = t_buffer is { } b && b.Length >= need ? b : t_buffer = new byte[Math.Max(need, 4096)];
        var at = 0;
        buffer[at++] = Version;
        var previous = 0;
        for (var i = 0; i < table.Count; i++)
        {
            table.TryGet(days[i], out var vector);
            var mask = 0u;
            for (var slot = 0; slot < LoadCounters.Width; slot++)
            {
                if (vector[slot] != 0)
                {
                    mask |= 1u << slot;
                }
            }

            if (mask == 0)
            {
                continue;
            }

            at = Write(buffer, at, Zig(days[i] - (long)previous));
            previous = days[i];
            at = Write(buffer, at, mask);
            for (var slot = 0; slot < LoadCounters.Width; slot++)
            {
                if (vector[slot] != 0)
                {
                    at = Write(buffer, at, Zig(vector[slot]));
                }
            }
        }

        return at == 1 ? [] : buffer.AsSpan(0, at).ToArray();
    }

    /// <summary>Adds every day of a blob from <see cref="Encode"/> to <paramref name="into"/>.</summary>
    public static void AddTo(ReadOnlySpan<byte> blob, PeriodCounters into)
    {
        if (blob.IsEmpty)
        {
            return;
        }

        if (blob[0] != Version)
        {
            throw new InvalidDataException($"Unknown counters checkpoint format {blob[0]}.");
        }

        var at = 1;
        var day = 0L;
        while (at < blob.Length)
        {
            day += Unzig(Read(blob, ref at));
            var mask = Read(blob, ref at);
            if (day is > int.MaxValue or < int.MinValue || mask == 0 || mask >> LoadCounters.Width != 0)
            {
                throw new InvalidDataException("Corrupt counters checkpoint.");
            }

            var vector = into.Day((int)day);
            for (var slot = 0; slot < LoadCounters.Width; slot++)
            {
                if ((mask & (1ul << slot)) != 0)
                {
                    vector[slot] += Unzig(Read(blob, ref at));
                }
            }
        }
    }

    private static ulong Zig(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long Unzig(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static int Write(byte[] buffer, int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[at++] = (byte)value;
        return at;
    }

    private static ulong Read(ReadOnlySpan<byte> blob, ref int at)
    {
        var value = 0ul;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (at >= blob.Length)
            {
                break;
            }

            var b = blob[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("Truncated counters checkpoint.");
    }
}
