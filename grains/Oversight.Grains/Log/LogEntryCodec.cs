using System.Text;
using Oversight.Domain;
using Oversight.Governance;

namespace Oversight.Grains.Log;

/// <summary>
/// The binary form of a ledger log entry: a string table (units, data items and the few words a
/// batch repeats, each once), then each event's fields as variable-length integers and table
/// indexes. Written once per accepted batch, so it avoids the general serializer's per-object
/// reference bookkeeping, and a batch of 1,000 events is a fraction of its size.
/// </summary>
public static class LogEntryCodec
{
    /// <summary>"OVL" and a format version, first in every entry this codec writes.</summary>
    private static ReadOnlySpan<byte> Magic => "OVL\u0001"u8;

    /// <summary>True when <paramref name="bytes"/> were written by <see cref="Encode"/>.</summary>
    public static bool Recognizes(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    // Per-thread scratch: the table's dictionary and the two parts of an entry of thousands of
    // events would otherwise be large arrays made and dropped for every entry.
    [ThreadStatic]
    private static StringTable? t_table;

    [ThreadStatic]
    private static MemoryStream? t_head;

    [ThreadStatic]
    private static MemoryStream? t_body;

    /// <summary>Encodes an entry (into one array of its exact size).</summary>
    public static byte[] Encode(LogEntry entry)
    {
        var table = t_table ??= new StringTable();
        table.Clear();
        var body = Scratch(ref t_body);
        using (var w = StringTable.Writer(body))
        {
            LoggedEventCodec.Write(w, table, entry.Events);
        }

        var head = Scratch(ref t_head);
        using (var w = StringTable.Writer(head))
        {
            w.Write(Magic);
            w.Write7BitEncodedInt64(entry.Position);
            w.Write7BitEncodedInt(entry.AcceptedDay);
            w.Write(entry.Settings.TimeZone);
            w.Write(entry.Settings.ShortDeadlineHours);
            w.Write7BitEncodedInt(entry.Settings.DuplicateWindowDays);
            w.Write7BitEncodedInt(entry.Settings.CascadeLimit);
            table.WriteTo(w);
        }

        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)(head.Length + body.Length)));
        head.GetBuffer().AsSpan(0, (int)head.Length).CopyTo(bytes);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(bytes.AsSpan((int)head.Length));
        return bytes;
    }

    private static MemoryStream Scratch(ref MemoryStream? stream)
    {
        // Kept for the next entry, unless one huge entry grew it well past the usual.
        if (stream is null || stream.Capacity > 8 << 20)
        {
            stream = new MemoryStream(64 << 10);
        }

        stream.SetLength(0);
        return stream;
    }

    /// <summary>Decodes an entry from <see cref="Encode"/>.</summary>
    public static LogEntry Decode(byte[] bytes)
    {
        if (!Recognizes(bytes))
        {
            throw new InvalidDataException("Not a log entry in this codec's format.");
        }

        using var r = new BinaryReader(new MemoryStream(bytes, Magic.Length, bytes.Length - Magic.Length, writable: false), Encoding.UTF8);
        var position = r.Read7BitEncodedInt64();
        var acceptedDay = r.Read7BitEncodedInt();
        var settings = new AlertSettings(r.ReadString(), r.ReadDouble(), r.Read7BitEncodedInt(), r.Read7BitEncodedInt());
        var strings = StringTable.Read(r);
        var events = LoggedEventCodec.Read(r, strings);
        return new LogEntry(position, acceptedDay, events, settings);
    }
}
