using System.Numerics;

namespace Oversight.Domain;

/// <summary>
/// A unit's own counters by day as one compact blob for its checkpoint. A day's vector has
/// <see cref="LoadCounters.Width"/> slots and a unit's day usually holds two or three that are not
/// zero, so a day is written as the step from the day before (days ascend), a mask of its
/// non-zero slots, and those slots alone (the framework's variable-length integers, signed values
/// zigzagged); days that are all zero are left out. The general serializer wrote every slot of every day with a field header, after
/// the counters were first copied into arrays for it (<see cref="PeriodCounters.ToDelta"/>): on a
/// large tree, every changed unit did both every 10 s.
/// </summary>
public static class DayCountersCodec
{
    private const byte Version = 1;

    // Per-thread scratch, as the log's codec keeps it: a checkpoint encodes into it, then copies
    // out an array of the exact size.
    [ThreadStatic]
    private static MemoryStream? t_stream;

    [ThreadStatic]
    private static BinaryWriter? t_writer;

    [ThreadStatic]
    private static int[]? t_days;

    /// <summary>Encodes the counters (an empty blob when every day is all zero).</summary>
    public static byte[] Encode(PeriodCounters counters)
    {
        var count = counters.SortedDays(ref t_days);
        if (count == 0)
        {
            return [];
        }

        var days = t_days!;
        var stream = t_stream ??= new MemoryStream();
        var w = t_writer ??= new BinaryWriter(stream);
        stream.SetLength(0);
        w.Write(Version);
        var previous = 0L;
        Span<long> vector = stackalloc long[LoadCounters.Width];
        for (var i = 0; i < count; i++)
        {
            counters.TryGetDay(days[i], vector);
            var mask = 0;
            for (var slot = 0; slot < LoadCounters.Width; slot++)
            {
                mask |= vector[slot] != 0 ? 1 << slot : 0;
            }

            if (mask == 0)
            {
                continue;
            }

            w.Write7BitEncodedInt64(Zig(days[i] - previous));
            previous = days[i];
            w.Write7BitEncodedInt(mask);
            for (var bits = mask; bits != 0; bits &= bits - 1)
            {
                w.Write7BitEncodedInt64(Zig(vector[BitOperations.TrailingZeroCount(bits)]));
            }
        }

        return stream.Length == 1 ? [] : stream.ToArray();
    }

    /// <summary>Adds every day of a blob from <see cref="Encode"/> to <paramref name="into"/>.</summary>
    public static void AddTo(byte[] blob, PeriodCounters into)
    {
        if (blob.Length == 0)
        {
            return;
        }

        if (blob[0] != Version)
        {
            throw new InvalidDataException($"Unknown counters checkpoint format {blob[0]}.");
        }

        using var r = new BinaryReader(new MemoryStream(blob, 1, blob.Length - 1, writable: false));
        var day = 0L;
        try
        {
            while (r.BaseStream.Position < r.BaseStream.Length)
            {
                day += Unzig(r.Read7BitEncodedInt64());
                var mask = r.Read7BitEncodedInt();
                if (day is > int.MaxValue or < int.MinValue || mask <= 0 || mask >> LoadCounters.Width != 0)
                {
                    throw new InvalidDataException("Corrupt counters checkpoint.");
                }

                for (var bits = mask; bits != 0; bits &= bits - 1)
                {
                    into.Add((int)day, BitOperations.TrailingZeroCount(bits), Unzig(r.Read7BitEncodedInt64()));
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException)
        {
            throw new InvalidDataException("Truncated counters checkpoint.", ex);
        }
    }

    private static long Zig(long value) => (value << 1) ^ (value >> 63);

    private static long Unzig(long value) => (long)((ulong)value >> 1) ^ -(value & 1);
}
