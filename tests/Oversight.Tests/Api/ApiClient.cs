using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oversight.Tests.Api;

/// <summary>A thin HTTP client for the API as a test would use it: raw JSON in, status and JSON out.</summary>
public sealed class ApiClient(HttpClient http, string? token)
{
    public HttpClient Http => http;

    public Task<Reply> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, Json(body));

    public Task<Reply> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, Json(body));

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<Reply> SendRawAsync(HttpMethod method, string path, string body, string contentType) =>
        SendAsync(method, path, new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)));

    public async Task<Reply> SendAsync(HttpMethod method, string path, HttpContent? content) =>
        (await SendWithHeadersAsync(method, path, content)).Reply;

    /// <summary>Sends with extra request headers; answers with the response's headers too.</summary>
    public async Task<(Reply Reply, HttpResponseHeaders Headers)> SendWithHeadersAsync(HttpMethod method, string path, HttpContent? content, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers.RetryAfter?.ToString()), response.Headers);
    }

    public static StringContent JsonContent(object body) => Json(body);

    private static StringContent Json(object body) =>
        new(body is string s ? s : JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
}

/// <summary>An HTTP answer.</summary>
public sealed record Reply(HttpStatusCode Status, string? ContentType, JsonNode? Body, string? RetryAfter)
{
    public JsonNode Json => Body ?? throw new InvalidOperationException("empty body");

    /// <summary>Asserts an RFC 9457 problem with this status.</summary>
    public Reply AssertProblem(HttpStatusCode status)
    {
        Assert.Equal(status, Status);
        Assert.Equal("application/problem+json", ContentType);
        Assert.Equal((int)status, Json["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(Json["title"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(Json["detail"]?.GetValue<string>()));
        return this;
    }

    public Reply AssertOk(HttpStatusCode status = HttpStatusCode.OK)
    {
        Assert.True(status == Status, $"expected {status}, got {(int)Status}: {Body?.ToJsonString()}");
        return this;
    }
}
