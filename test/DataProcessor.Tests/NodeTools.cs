namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>Finds the repository's Node.js and s3rver (installed by `npm ci` from package-lock.json).</summary>
internal sealed record NodeTools(string RepoRoot, string Node, string S3rverScript)
{
    /// <summary>Walks up from <paramref name="start"/> to the folder holding package.json.</summary>
    /// <exception cref="InvalidOperationException">No package.json above, or s3rver not installed: the message says to run npm ci.</exception>
    public static NodeTools Locate(string start)
    {
        var dir = new DirectoryInfo(start);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "package.json")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"No package.json found above {start}: the S3 integration tests need the repository checkout.");
        }

        var root = dir.FullName;
        var script = Path.Combine(root, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed ({script} is missing). Run `npm ci` in {root} before `dotnet test`: the S3 integration tests need it and are not skipped.");
        }

        // The repository pins Node 22 as an npm package; fall back to the node on PATH.
        var pinned = Path.Combine(root, "node_modules", ".bin", "node");
        return new NodeTools(root, File.Exists(pinned) ? pinned : "node", script);
    }
}
