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

    /// <summary>Encodes an entry (into one array of its exact size).</summary>
    public static byte[] Encode(LogEntry entry) =>
        LoggedEventCodec.Encode(entry.Events, entry, static (w, entry) =>
        {
            w.Write(Magic);
            w.Write7BitEncodedInt64(entry.Position);
            w.Write7BitEncodedInt(entry.AcceptedDay);
            w.Write(entry.Settings.TimeZone);
            w.Write(entry.Settings.ShortDeadlineHours);
            w.Write7BitEncodedInt(entry.Settings.DuplicateWindowDays);
            w.Write7BitEncodedInt(entry.Settings.CascadeLimit);
        }).ToArray();

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
