namespace TradingPlatform.Hosting;

/// <summary>
/// The .NET jsii runtime copies the npm tarballs embedded in the CDK assemblies (~66 MiB: aws-cdk-lib and
/// the kubectl and AWS CLI layers it depends on) into a new folder under the temp directory on every start,
/// hands their paths to the Node kernel, and never deletes them (aws/jsii#700). The kernel has unpacked
/// (or found in its package cache) each tarball by the time its <c>load</c> request returns, so after the
/// first call into the CDK the copies are only dirty page cache, charged to this synth's memory.
/// </summary>
public static class JsiiScratch
{
    /// <summary>Set by scripts/private-tmpdir.sh to the private temp folder it created for this process.</summary>
    public const string OwnedTempDirVariable = "TRADINGPLATFORM_OWNED_TMPDIR";

    /// <summary>
    /// Deletes the tarball copies, but only when the temp folder is private to this process (the launcher
    /// says so): in a shared temp folder another process's jsii runtime may still be loading its copies.
    /// Returns the number of files deleted.
    /// </summary>
    public static int ReleaseLoadedTarballs()
    {
        var owned = Environment.GetEnvironmentVariable(OwnedTempDirVariable);
        if (string.IsNullOrEmpty(owned) || !SameDirectory(owned, Path.GetTempPath()))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var tarball in Directory.EnumerateFiles(owned, "*.tgz", SearchOption.AllDirectories))
        {
            File.Delete(tarball);
            deleted++;
        }

        return deleted;
    }

    private static bool SameDirectory(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)),
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
