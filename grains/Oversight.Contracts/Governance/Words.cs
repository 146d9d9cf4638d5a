using Oversight.Domain;

namespace Oversight.Governance;

/// <summary>User-facing words for alert details, Chinese and English.</summary>
public static class Words
{
    private static readonly string[] Chinese = ["发文", "会议", "检查", "数据报送", "数字化要求", "越权事项"];
    private static readonly string[] English = ["documents", "meetings", "inspections", "data requests", "digital demands", "over-reach incidents"];

    /// <summary>The kind in Chinese.</summary>
    public static string Zh(EventKind kind) => Chinese[(int)kind];

    /// <summary>The kind in English (plural).</summary>
    public static string En(EventKind kind) => English[(int)kind];
}
