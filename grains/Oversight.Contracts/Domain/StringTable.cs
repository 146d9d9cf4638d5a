using System.Text;

namespace Oversight.Domain;

/// <summary>
/// The string table of a compact binary form: each distinct string once, referred to by its
/// index (unit ids, data items and words repeat throughout a batch or a checkpoint).
/// </summary>
public sealed class StringTable
{
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private readonly List<string> _strings = [];

    /// <summary>The index of <paramref name="s"/>, added at the end when new.</summary>
    public int Index(string s)
    {
        if (!_indexes.TryGetValue(s, out var i))
        {
            _indexes[s] = i = _strings.Count;
            _strings.Add(s);
        }

        return i;
    }

    /// <summary>Forgets every string, keeping the room they took (for a table reused batch after batch).</summary>
    public void Clear()
    {
        _indexes.Clear();
        _strings.Clear();
    }

    /// <summary>Writes the count, then each string.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write7BitEncodedInt(_strings.Count);
        foreach (var s in _strings)
        {
            writer.Write(s);
        }
    }

    /// <summary>Reads a table written by <see cref="WriteTo"/>, in index order.</summary>
    public static string[] Read(BinaryReader reader)
    {
        var strings = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = reader.ReadString();
        }

        return strings;
    }

    /// <summary>An upper bound guess of the table's written size, for sizing a buffer.</summary>
    public int SizeHint => _strings.Count * 16;

    /// <summary>The UTF-8 writer both codecs use.</summary>
    public static BinaryWriter Writer(Stream stream) => new(stream, Encoding.UTF8, leaveOpen: true);
}
