using Microsoft.AspNetCore.Diagnostics;

namespace Oversight.Gateway.Http;

/// <summary>
/// Last line: an unexpected failure becomes a problem answer without internals; a cluster that
/// cannot answer now becomes 503 with Retry-After, so clients retry instead of giving up.
/// </summary>
public sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        IResult problem;
        switch (exception)
        {
            case BadHttpRequestException bad:
                problem = Problems.Problem(bad.StatusCode, "Bad request", bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The body is too large." : "The request could not be read.");
                break;
            case OperationCanceledException when http.RequestAborted.IsCancellationRequested:
                return true;
            case TimeoutException or OperationCanceledException or Orleans.Runtime.OrleansException:
                LogUnavailable(logger, exception);
                http.Response.Headers.RetryAfter = "1";
                problem = Problems.Unavailable("The cluster could not answer in time; retry shortly. Retrying a batch of events is safe: ids already counted are reported as duplicates.");
                break;
            default:
                LogUnexpected(logger, exception);
                problem = Problems.Problem(StatusCodes.Status500InternalServerError, "Internal error", "An unexpected error occurred; it has been logged.");
                break;
        }

        await problem.ExecuteAsync(http);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable for a request")]
    private static partial void LogUnavailable(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure")]
    private static partial void LogUnexpected(ILogger logger, Exception ex);
}
