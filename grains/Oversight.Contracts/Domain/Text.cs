namespace Oversight.Domain;

/// <summary>Checks on free text from clients.</summary>
public static class Text
{
    /// <summary>True for 1..<paramref name="maxLength"/> characters with no control characters.</summary>
    public static bool IsCleanLine(string? text, int maxLength) =>
        !string.IsNullOrWhiteSpace(text) && text.Length <= maxLength && !text.Any(char.IsControl);

    /// <summary>True for 1..<paramref name="maxLength"/> characters of prose: line breaks and tabs allowed, no other control characters.</summary>
    public static bool IsCleanText(string? text, int maxLength) =>
        !string.IsNullOrWhiteSpace(text) && text.Length <= maxLength && !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));
}
