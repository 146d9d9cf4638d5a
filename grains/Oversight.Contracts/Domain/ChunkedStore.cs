namespace Oversight.Domain;

/// <summary>
/// An append-only store of values in fixed chunks of <see cref="ChunkSize"/> (64 KB or less, below
/// the large-object heap), each run of values kept within one chunk. Growing it never copies what
/// it holds or makes a large array, which one buffer doubling to millions of values did: each
/// doubling was a large-object allocation, and those start full collections.
/// </summary>
public sealed class ChunkedStore<T>
    where T : struct
{
    /// <summary>Values per chunk; the longest run that can be appended.</summary>
    public const int ChunkSize = 16_384;

    private const int Shift = 14;

    private T[][] _chunks = [];
    private int _chunk = -1;
    private int _used;

    /// <summary>Appends a run of values; returns its position (a run never straddles two chunks).</summary>
    public int Append(ReadOnlySpan<T> values)
    {
        if (values.Length > ChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(values), $"A run holds at most {ChunkSize} values.");
        }

        if (_chunk < 0 || _used + values.Length > ChunkSize)
        {
            _chunk++;
            if (_chunk == _chunks.Length)
            {
                Array.Resize(ref _chunks, Math.Max(4, _chunks.Length * 2));
            }

            _chunks[_chunk] = new T[ChunkSize];
            _used = 0;
        }

        values.CopyTo(_chunks[_chunk].AsSpan(_used));
        var position = (_chunk << Shift) | _used;
        _used += values.Length;
        return position;
    }

    /// <summary>A run appended at <paramref name="position"/>.</summary>
    public ReadOnlySpan<T> Get(int position, int length) =>
        _chunks[position >> Shift].AsSpan(position & (ChunkSize - 1), length);
}
