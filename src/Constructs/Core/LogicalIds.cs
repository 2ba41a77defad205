using System.Security.Cryptography;
using System.Text;

namespace TradingPlatform.Constructs.Core;

/// <summary>The CDK's logical id scheme: the path's ids without "Default", a readable prefix, an MD5 of the path.</summary>
public static class LogicalIds
{
    private const string HiddenId = "Default";
    private const string HiddenFromHumanId = "Resource";
    private const int MaxHumanLength = 240;

    public static string Make(IReadOnlyList<string> pathComponents)
    {
        var components = pathComponents.Where(c => c != HiddenId).ToList();
        if (components.Count == 1 && AlphanumericOnly(components[0]) is { Length: <= 255 } topLevel)
        {
            // A top-level resource keeps its id as written, minus characters CloudFormation does not allow.
            return topLevel;
        }

        var hash = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(string.Join("/", components))))[..8];
        var human = string.Concat(RemoveDuplicates(components)
            .Where(c => c != HiddenFromHumanId)
            .Select(AlphanumericOnly));
        return (human.Length > MaxHumanLength ? human[..MaxHumanLength] : human) + hash;
    }

    private static string AlphanumericOnly(string component) => new(component.Where(char.IsAsciiLetterOrDigit).ToArray());

    // "Bucket/BucketPolicy" reads "BucketPolicy", not "BucketBucketPolicy".
    private static IEnumerable<string> RemoveDuplicates(IEnumerable<string> components)
    {
        var kept = new List<string>();
        foreach (var component in components)
        {
            if (kept.Count == 0 || !kept[^1].EndsWith(component, StringComparison.Ordinal))
            {
                kept.Add(component);
            }
        }

        return kept;
    }
}
