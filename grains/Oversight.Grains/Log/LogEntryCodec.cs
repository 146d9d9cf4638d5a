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

    /// <summary>Encodes an entry.</summary>
    public static byte[] Encode(LogEntry entry)
    {
        var table = new StringTable();
        using var body = new MemoryStream(entry.Events.Length * 48);
        using (var w = StringTable.Writer(body))
        {
            foreach (var e in entry.Events)
            {
                w.Write(e.Id);
                w.Write((byte)e.Kind);
                w.Write7BitEncodedInt(table.Index(e.Source));
                w.Write7BitEncodedInt(e.Targets.Length);
                foreach (var t in e.Targets)
                {
                    w.Write7BitEncodedInt(table.Index(t));
                }

                w.Write7BitEncodedInt(e.Day);
                w.Write7BitEncodedInt64(e.OccurredAt.Ticks);
                w.Write((short)e.OccurredAt.TotalOffsetMinutes);
                w.Write7BitEncodedInt(e.MeetingMinutes);
                w.Write7BitEncodedInt(e.InspectionDays);
                w.Write((byte)((e.Formal ? 1 : 0) | (e.Planned ? 2 : 0) | (e.DeadlineHours is null ? 0 : 4) | (e.CausedBy is null ? 0 : 8)));
                w.Write7BitEncodedInt(table.Index(e.Mode));
                if (e.DeadlineHours is { } hours)
                {
                    w.Write(hours);
                }

                w.Write7BitEncodedInt(e.DataItems.Length);
                foreach (var item in e.DataItems)
                {
                    w.Write7BitEncodedInt(table.Index(item));
                }

                w.Write7BitEncodedInt(table.Index(e.Channel));
                w.Write7BitEncodedInt(table.Index(e.Category));
                if (e.CausedBy is { } causedBy)
                {
                    w.Write(causedBy);
                }
            }
        }

        using var output = new MemoryStream((int)body.Length + table.SizeHint + 64);
        using (var w = StringTable.Writer(output))
        {
            w.Write(Magic);
            w.Write7BitEncodedInt64(entry.Position);
            w.Write7BitEncodedInt(entry.AcceptedDay);
            w.Write(entry.Settings.TimeZone);
            w.Write(entry.Settings.ShortDeadlineHours);
            w.Write7BitEncodedInt(entry.Settings.DuplicateWindowDays);
            w.Write7BitEncodedInt(entry.Settings.CascadeLimit);
            table.WriteTo(w);
            w.Write7BitEncodedInt(entry.Events.Length);
            w.Flush();
            body.WriteTo(output);
        }

        return output.ToArray();
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
        var events = new LoggedEvent[r.Read7BitEncodedInt()];
        for (var i = 0; i < events.Length; i++)
        {
            var id = r.ReadString();
            var kind = (EventKind)r.ReadByte();
            var source = strings[r.Read7BitEncodedInt()];
            var targets = new string[r.Read7BitEncodedInt()];
            for (var t = 0; t < targets.Length; t++)
            {
                targets[t] = strings[r.Read7BitEncodedInt()];
            }

            var day = r.Read7BitEncodedInt();
            var ticks = r.Read7BitEncodedInt64();
            var offset = TimeSpan.FromMinutes(r.ReadInt16());
            var minutes = r.Read7BitEncodedInt();
            var inspectionDays = r.Read7BitEncodedInt();
            var flags = r.ReadByte();
            var mode = strings[r.Read7BitEncodedInt()];
            double? deadline = (flags & 4) != 0 ? r.ReadDouble() : null;
            var items = new string[r.Read7BitEncodedInt()];
            for (var t = 0; t < items.Length; t++)
            {
                items[t] = strings[r.Read7BitEncodedInt()];
            }

            var channel = strings[r.Read7BitEncodedInt()];
            var category = strings[r.Read7BitEncodedInt()];
            var causedBy = (flags & 8) != 0 ? r.ReadString() : null;
            events[i] = new LoggedEvent
            {
                Id = id,
                Kind = kind,
                Source = source,
                Targets = targets,
                Day = day,
                OccurredAt = new DateTimeOffset(ticks, offset),
                MeetingMinutes = minutes,
                InspectionDays = inspectionDays,
                Formal = (flags & 1) != 0,
                Mode = mode,
                Planned = (flags & 2) != 0,
                DeadlineHours = deadline,
                DataItems = items,
                Channel = channel,
                Category = category,
                CausedBy = causedBy,
            };
        }

        return new LogEntry(position, acceptedDay, events, settings);
    }
}
