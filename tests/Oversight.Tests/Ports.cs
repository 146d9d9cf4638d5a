using System.Net;
using System.Net.Sockets;

namespace Oversight.Tests;

/// <summary>Free loopback ports for the servers the tests start.</summary>
public static class Ports
{
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A free loopback port, never one handed out before in this test run: the listener that found
    /// it is closed before the server binds it, so the kernel may offer the same port to the next
    /// call (a silo's two ports, or a gateway's HTTP port and its silo's, could then collide).
    /// </summary>
    public static int Free()
    {
        lock (HandedOut)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
