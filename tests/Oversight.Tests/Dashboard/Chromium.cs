using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Dashboard;

/// <summary>
/// Debian's headless <c>chromium</c>, driven over the DevTools protocol: navigate, then wait for a
/// condition in the page (a promise that a mutation observer resolves, so nothing polls or sleeps).
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private Chromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser binary: <c>CHROMIUM</c>, else <c>chromium</c> on the PATH.</summary>
    public static string Binary => Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } path ? path : "chromium";

    public static async Task<Chromium> StartAsync(CancellationToken deadline)
    {
        var profile = Directory.CreateTempSubdirectory("oversight-chromium-").FullName;
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0", $"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
        var browser = new Chromium(process, profile);
        try
        {
            // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID"
            string? line;
            while ((line = await process.StandardError.ReadLineAsync(deadline)) is not null && !line.StartsWith("DevTools listening on ", StringComparison.Ordinal))
            {
            }

            var browserUrl = new Uri(line?["DevTools listening on ".Length..] ?? throw new InvalidOperationException("chromium printed no DevTools address"));
            _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var http = new HttpClient();
            var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{browserUrl.Authority}/json/list"), deadline))!.AsArray();
            var page = targets.First(t => t!["type"]!.GetValue<string>() == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
            await browser._socket.ConnectAsync(new Uri(page), deadline);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one protocol command and returns its result (events in between are skipped).</summary>
    public async Task<JsonNode> SendAsync(string method, object parameters, CancellationToken deadline)
    {
        var id = ++_nextId;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, deadline);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, deadline);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var reply = JsonNode.Parse(message.ToArray())!;
            if (reply["id"]?.GetValue<int>() != id)
            {
                continue;
            }

            if (reply["error"] is { } error)
            {
                throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            }

            return reply["result"]!;
        }
    }

    public Task NavigateAsync(string url, CancellationToken deadline) => SendAsync("Page.navigate", new { url }, deadline);

    /// <summary>
    /// Waits until <paramref name="probe"/> (a JavaScript expression) is truthy in the page, re-checked
    /// on every change of the document, and returns its value as a string.
    /// </summary>
    public async Task<string> WaitForAsync(string probe, CancellationToken deadline)
    {
        var expression = $$"""
            new Promise((resolve) => {
              const check = () => { try { const v = ({{probe}}); if (v) { resolve(String(v)); return true; } } catch { } return false; };
              if (check()) return;
              const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
              const start = () => observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
              if (document.documentElement) start(); else document.addEventListener("DOMContentLoaded", start);
            })
            """;
        var result = await SendAsync("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true }, deadline);
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException(exception.ToJsonString());
        }

        return result["result"]!["value"]!.GetValue<string>();
    }

    /// <summary>Evaluates an expression at once.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken deadline) =>
        (await SendAsync("Runtime.evaluate", new { expression, returnByValue = true }, deadline))["result"]!["value"];

    /// <summary>A PNG of the page as it is.</summary>
    public async Task<byte[]> ScreenshotAsync(CancellationToken deadline) =>
        Convert.FromBase64String((await SendAsync("Page.captureScreenshot", new { format = "png" }, deadline))["data"]!.GetValue<string>());

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A crash dump or lock left behind: the temp directory is cleaned by the OS.
        }
    }
}
