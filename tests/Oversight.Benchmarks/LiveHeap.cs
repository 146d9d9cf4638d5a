using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Oversight.Benchmarks;

/// <summary>
/// The live managed heap of another .NET process: the bytes that survive a full, blocking
/// collection, which the runtime runs when an EventPipe session asks for a heap collection (as
/// dotnet-gcdump does), read from the collection's own heap statistics. Unlike the heap size
/// after whatever collection ran last, this does not count garbage in generations that collection
/// did not condemn, so it is the same for the same objects held: a figure to compare builds by.
/// </summary>
public static class LiveHeap
{
    /// <summary>Runs the full collection in the process and returns the bytes that survived it (every generation, large and pinned objects included).</summary>
    public static async Task<long> MeasureAsync(int processId, TimeSpan timeout)
    {
        var client = new DiagnosticsClient(processId);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession([new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords)], requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        var induced = -1;
        long? live = null;
        source.Clr.GCStart += e =>
        {
            if (induced < 0 && e.Depth == 2 && e.Reason is GCReason.Induced or GCReason.InducedNotForced)
            {
                induced = e.Count;
            }
        };
        // The statistics follow the collection they describe; collections that were already
        // running when the session started are passed over.
        source.Clr.GCHeapStats += e =>
        {
            if (induced >= 0 && live is null)
            {
                live = e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2 + e.TotalPromotedSize3 + e.TotalPromotedSize4;
                session.Stop();
            }
        };
        var reading = Task.Run(source.Process);
        if (await Task.WhenAny(reading, Task.Delay(timeout)) != reading)
        {
            session.Stop();
            throw new TimeoutException($"process {processId} ran no full collection within {timeout.TotalSeconds:F0} s");
        }

        await reading;
        return live ?? throw new InvalidOperationException($"process {processId} reported no full collection");
    }
}
