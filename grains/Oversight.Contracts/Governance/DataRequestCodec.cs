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
        if (list.Count == 0)
        {
            return [];
        }

        var table = new StringTable();
        foreach (var r in list)
        {
            table.Index(r.Source);
            table.Index(r.Item);
        }

        using var stream = new MemoryStream(list.Count * 32);
        using (var writer = StringTable.Writer(stream))
        {
            writer.Write(Version);
            table.WriteTo(writer);
            writer.Write7BitEncodedInt(list.Count);
            foreach (var r in list)
            {
                writer.Write(r.EventId);
                writer.Write7BitEncodedInt(table.Index(r.Source));
                writer.Write7BitEncodedInt(table.Index(r.Item));
                writer.Write7BitEncodedInt(r.Day);
                writer.Write7BitEncodedInt64(r.OccurredTicks);
            }
        }

        return stream.ToArray();
    }

    /// <summary>Decodes a blob from <see cref="Encode"/>.</summary>
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
