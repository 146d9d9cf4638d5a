using System.Numerics;
using System.Runtime.CompilerServices;

namespace Oversight.Domain;

/// <summary>
/// Counters by (day, slot), sparse: only cells that were ever set cost anything. This is what a
/// parent holds of a child's reports. A report names one or two of a day's fourteen slots, so a
/// leaf's hold is a few dozen cells. As rows of fourteen counters (<see cref="VectorTable"/>) the
/// same hold took about 2.6 KB. Each cell here is 16 bytes plus the table's slack.
/// <para>
/// One array of pairs (key + 1, value), open addressing with linear probing, at most three
/// quarters full. An unused pair has key 0, so a new array needs no filling. Cells are never
/// removed: a value that returns to zero keeps its cell.
/// </para>
/// </summary>
public sealed class CellTable
{
    /// <summary>The fewest pairs a table holds once it holds any.</summary>
    private const int MinCapacity = 8;

    // _pairs[2i] is the key of pair i plus one (0: unused), _pairs[2i + 1] its value.
    private long[] _pairs = [];
    private int _count;

    // 64 - log2(capacity): the top bits of a key's Fibonacci hash pick its first pair.
    private int _shift = 64;

    /// <summary>Number of cells held.</summary>
    public int Count => _count;

    /// <summary>Pairs the table has room for before it grows (a power of two, or 0 when empty).</summary>
    public int Capacity => _pairs.Length / 2;

    /// <summary>True when one more cell would make the table grow.</summary>
    public bool IsFull => !Fits(_count + 1L);

    /// <summary>Makes room for <paramref name="more"/> new cells at once (one growth instead of several).</summary>
    public void Reserve(int more)
    {
        var needed = (long)_count + more;
        if (!Fits(needed))
        {
            Resize(needed);
        }
    }

    /// <summary>Whether the pairs hold that many cells within three quarters full.</summary>
    private bool Fits(long cells) => cells * 4 <= (long)Capacity * 3;

    /// <summary>The cell's value to add into or set, added as zero when new; valid until the next cell is added.</summary>
    public ref long GetOrAdd(int day, int slot)
    {
        ref var value = ref Find(day, slot);
        if (!Unsafe.IsNullRef(ref value))
        {
            return ref value;
        }

        return ref AddNew(day, slot);
    }

    /// <summary>Adds a cell that is not held (as <see cref="Find"/> said), as zero; its value to set, valid until the next cell is added.</summary>
    public ref long AddNew(int day, int slot)
    {
        var key = Key(day, slot);
        Reserve(1);
        var at = Insert(_pairs, key, Home(key), Capacity - 1);
        _count++;
        return ref _pairs[at + 1];
    }

    /// <summary>The cell's value, or 0 when it is not held.</summary>
    public long Get(int day, int slot)
    {
        ref var value = ref Find(day, slot);
        return Unsafe.IsNullRef(ref value) ? 0 : value;
    }

    /// <summary>The cell's value to set, or a null reference when it is not held (see <see cref="Unsafe.IsNullRef{T}"/>).</summary>
    public ref long Find(int day, int slot)
    {
        var key = Key(day, slot);
        if (_pairs.Length != 0)
        {
            var mask = Capacity - 1;
            for (var i = Home(key); ; i = (i + 1) & mask)
            {
                var held = _pairs[2 * i];
                if (held == key)
                {
                    return ref _pairs[(2 * i) + 1];
                }

                if (held == 0)
                {
                    break;
                }
            }
        }

        return ref Unsafe.NullRef<long>();
    }

    /// <summary>Every cell held, in no particular order (a copy-free walk; do not add cells while walking).</summary>
    public CellWalk Cells => new(_pairs);

    /// <summary>Forgets every cell and gives back the memory.</summary>
    public void Clear()
    {
        _pairs = [];
        _count = 0;
        _shift = 64;
    }

    /// <summary>A cell's key: never 0 (the unused marker), and the same for the same (day, slot).</summary>
    private static long Key(int day, int slot)
    {
        if ((uint)slot >= 16)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "A cell's slot is 0 to 15.");
        }

        return (((long)(uint)day << 4) | (uint)slot) + 1;
    }

    private int Home(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift);

    /// <summary>Puts a key (not held) into the first unused pair from its home; returns the pair's index into the array.</summary>
    private static int Insert(long[] pairs, long key, int home, int mask)
    {
        var i = home;
        while (pairs[2 * i] != 0)
        {
            i = (i + 1) & mask;
        }

        pairs[2 * i] = key;
        return 2 * i;
    }

    private void Resize(long cells)
    {
        var capacity = (int)Math.Max(MinCapacity, BitOperations.RoundUpToPowerOf2((ulong)((cells * 4 + 2) / 3)));
        var shift = 64 - BitOperations.Log2((uint)capacity);
        var pairs = new long[2 * capacity];
        var old = _pairs;
        _shift = shift;
        for (var i = 0; i < old.Length; i += 2)
        {
            if (old[i] != 0)
            {
                var at = Insert(pairs, old[i], Home(old[i]), capacity - 1);
                pairs[at + 1] = old[i + 1];
            }
        }

        _pairs = pairs;
    }

    /// <summary>The cells of a table, walked without allocating.</summary>
    public readonly struct CellWalk(long[] pairs)
    {
        /// <summary>Starts the walk.</summary>
        public Enumerator GetEnumerator() => new(pairs);

        /// <summary>The walk's position.</summary>
        public struct Enumerator(long[] pairs)
        {
            private int _at = -2;

            /// <summary>The current cell: its day, slot and value.</summary>
            public readonly (int Day, int Slot, long Value) Current
            {
                get
                {
                    var key = pairs[_at] - 1;
                    return ((int)(uint)(key >> 4), (int)(key & 15), pairs[_at + 1]);
                }
            }

            /// <summary>Moves to the next cell held; false past the last.</summary>
            public bool MoveNext()
            {
                do
                {
                    _at += 2;
                }
                while (_at < pairs.Length && pairs[_at] == 0);

                return _at < pairs.Length;
            }
        }
    }
}
