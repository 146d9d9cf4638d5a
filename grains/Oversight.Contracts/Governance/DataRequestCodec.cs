using System.Text;
using Oversight.Domain;

namespace Oversight.Governance;

/// <summary>
/// A unit's remembered data requests as one compact blob for its checkpoint: sources and items
/// (few, repeated) once in a string table, then each request's id, day and time. Written every
/// checkpoint, so it avoids the general serializer's per-object bookkeeping.
/// </summary>
public static class DataRequestCodec
{
    private const byte Version = 1;

    /// <summary>Encodes the requests (empty input gives an empty blob).</summary>
    public static byte[] Encode(IEnumerable<DataRequest> requests)
    {
        var list = requests as IReadOnlyCollection<DataRequest> ?? [.. requests];
        var table = new StringTable();
        foreach (var r in list)
        {
            table.Index(r.Source);
            table.Index(r.Item);
        }

        return Blob(table, list.Count, writer =>
        {
            foreach (var r in list)
            {
                Write(writer, table, r.EventId, r.Source, r.Item, r.Day, r.OccurredTicks);
            }
        });
    }

    /// <summary>
    /// Encodes what a unit remembers, the same bytes as <see cref="Encode(IEnumerable{DataRequest})"/>
    /// of its <see cref="DataRequestMemory.All"/> without making a record of each request first.
    /// </summary>
    public static byte[] Encode(DataRequestMemory memory)
    {
        var table = new StringTable();
        var count = 0;
        foreach (var (item, held) in memory.Requests)
        {
            table.Index(held.Source);
            table.Index(item);
            count++;
        }

        return Blob(table, count, writer =>
        {
            foreach (var (item, held) in memory.Requests)
            {
                Write(writer, table, held.EventId, held.Source, item, held.Day, held.OccurredTicks);
            }
        });
    }

    private static byte[] Blob(StringTable table, int count, Action<BinaryWriter> requests)
    {
        if (count == 0)
        {
            return [];
        }

        using var stream = new MemoryStream(count * 32);
        using (var writer = StringTable.Writer(stream))
        {
            writer.Write(Version);
            table.WriteTo(writer);
            writer.Write7BitEncodedInt(count);
            requests(writer);
        }

        return stream.ToArray();
    }

    private static void Write(BinaryWriter writer, StringTable table, string id, string source, string item, int day, long ticks)
    {
        writer.Write(id);
        writer.Write7BitEncodedInt(table.Index(source));
        writer.Write7BitEncodedInt(table.Index(item));
        writer.Write7BitEncodedInt(day);
        writer.Write7BitEncodedInt64(ticks);
    }

    /// <summary>Decodes a blob from <see cref="Encode(IEnumerable{DataRequest})"/>.</summary>
    public static List<DataRequest> Decode(byte[] blob)
    {
        if (blob.Length == 0)
        {
            return [];
        }

        using var reader = new BinaryReader(new MemoryStream(blob, writable: false), Encoding.UTF8);
        if (reader.ReadByte() != Version)
        {
            throw new InvalidDataException("Unknown data-request checkpoint format.");
        }

        var strings = StringTable.Read(reader);
        var count = reader.Read7BitEncodedInt();
        var requests = new List<DataRequest>(count);
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadString();
            var source = strings[reader.Read7BitEncodedInt()];
            var item = strings[reader.Read7BitEncodedInt()];
            requests.Add(new DataRequest(id, source, item, reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt64()));
        }

        return requests;
    }
}
