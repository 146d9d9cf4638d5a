using Microsoft.AspNetCore.Http.HttpResults;

namespace Oversight.Gateway.Http;

/// <summary>RFC 9457 problem answers; every error of the API goes through here.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string detail = "One or more fields are invalid.") =>
        TypedResults.ValidationProblem(errors, detail, title: "Validation failed");

    public static ProblemHttpResult Forbidden() =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", "The request lies outside the caller's scope.");

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ProblemHttpResult TooLarge(string detail) => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);

    public static ProblemHttpResult UnsupportedMediaType(string detail) => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    public static ProblemHttpResult Unavailable(string detail) => Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
