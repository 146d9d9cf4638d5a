using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;
using System.Text;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;
using Oversight.Domain;

namespace Oversight.Grains;

/// <summary>
/// A gateway's batch of accepted events for one ledger shard. Between processes it travels in the
/// log's compact form (<see cref="LoggedEventCodec"/>, see <see cref="EventBatchCodec"/>) instead
/// of Orleans' general codec, which records every event and every string of a batch for reference
/// tracking (a dictionary of thousands of entries per call, on the large-object heap). Immutable:
/// a call inside one process passes it without a copy.
/// </summary>
[Immutable]
[CollectionBuilder(typeof(EventBatch), nameof(Create))]
public sealed class EventBatch(LoggedEvent[] events) : IReadOnlyList<LoggedEvent>
{
    /// <summary>The events, in the order they were sent.</summary>
    public LoggedEvent[] Events { get; } = events;

    /// <summary>Number of events.</summary>
    public int Count => Events.Length;

    /// <summary>The event at an index.</summary>
    public LoggedEvent this[int index] => Events[index];

    /// <summary>A batch of these events.</summary>
    public static EventBatch Create(ReadOnlySpan<LoggedEvent> events) => new(events.ToArray());

    /// <summary>A batch of these events (the array is taken, not copied).</summary>
    public static implicit operator EventBatch(LoggedEvent[] events) => new(events);

    /// <inheritdoc/>
    public IEnumerator<LoggedEvent> GetEnumerator() => ((IEnumerable<LoggedEvent>)Events).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Orleans' codec for <see cref="EventBatch"/>: one length-prefixed field holding the string
/// table and the events in <see cref="LoggedEventCodec"/>'s form. Encoding and decoding go
/// through per-thread scratch (see <see cref="LoggedEventCodec.Encode"/>) and a pooled buffer, so a batch costs no large array either way.
/// </summary>
[RegisterSerializer]
public sealed class EventBatchCodec : IFieldCodec<EventBatch>
{
    /// <inheritdoc/>
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, EventBatch? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        var bytes = LoggedEventCodec.Encode<object?>(value.Events, null, null);
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(EventBatch), WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
    }

    /// <inheritdoc/>
    public EventBatch ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<EventBatch, TInput>(ref reader, field)!;
        }

        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        reader.EnsureAvailable(length);
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            reader.ReadBytes(buffer.AsSpan(0, (int)length));
            using var r = new BinaryReader(new MemoryStream(buffer, 0, (int)length, writable: false), Encoding.UTF8);
            var batch = new EventBatch(LoggedEventCodec.Read(r, StringTable.Read(r)));
            ReferenceCodec.RecordObject(reader.Session, batch);
            return batch;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
