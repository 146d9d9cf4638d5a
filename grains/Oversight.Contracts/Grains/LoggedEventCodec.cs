using Oversight.Domain;

namespace Oversight.Grains;

/// <summary>
/// The binary form of accepted events, shared by the ledger's log entries and the batches a
/// gateway sends to a ledger shard: each event's fields as variable-length integers, and its
/// units, data items and the few words a batch repeats as indexes into a
/// <see cref="StringTable"/> written beside them.
/// </summary>
public static class LoggedEventCodec
{
    // Per-thread scratch: a batch names thousands of units and an entry holds up to thousands of
    // events, so a new table's dictionary and new streams would be large arrays made and dropped
    // for every batch.
    [ThreadStatic]
    private static StringTable? t_table;

    [ThreadStatic]
    private static MemoryStream? t_head;

    [ThreadStatic]
    private static MemoryStream? t_body;

    /// <summary>
    /// The events' whole binary form in this thread's scratch: what <paramref name="header"/>
    /// writes, then the string table, then the events. Valid until this thread's next call; copy
    /// it out before anything else encodes.
    /// </summary>
    public static ReadOnlySpan<byte> Encode<TState>(IReadOnlyList<LoggedEvent> events, TState state, Action<BinaryWriter, TState>? header)
    {
        var table = t_table ??= new StringTable();
        table.Clear();
        var body = Scratch(ref t_body);
        using (var w = StringTable.Writer(body))
        {
            Write(w, table, events);
        }

        var head = Scratch(ref t_head);
        using (var w = StringTable.Writer(head))
        {
            header?.Invoke(w, state);
            table.WriteTo(w);
        }

        body.WriteTo(head);
        return head.GetBuffer().AsSpan(0, (int)head.Length);
    }

    /// <summary>Writes the events (count first), adding their repeated strings to <paramref name="table"/>.</summary>
    public static void Write(BinaryWriter w, StringTable table, IReadOnlyList<LoggedEvent> events)
    {
        w.Write7BitEncodedInt(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
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

    private static MemoryStream Scratch(ref MemoryStream? stream)
    {
        // Kept for the next call, unless one huge batch grew it well past the usual.
        if (stream is null || stream.Capacity > 8 << 20)
        {
            stream = new MemoryStream(64 << 10);
        }

        stream.SetLength(0);
        return stream;
    }

    /// <summary>Reads events written by <see cref="Write"/>, with the table's strings in index order.</summary>
    public static LoggedEvent[] Read(BinaryReader r, string[] strings)
    {
        var count = r.Read7BitEncodedInt();
        if (count < 0 || count > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new InvalidDataException($"An event count of {count} does not fit the {r.BaseStream.Length - r.BaseStream.Position} bytes left.");
        }

        var events = new LoggedEvent[count];
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

        return events;
    }
}
