namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>The integration tests must fail loudly, not skip, when the repository's npm packages are missing.</summary>
public sealed class NodeToolsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("repo-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Without_node_modules_the_error_says_to_run_npm_ci()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "package.json"), "{}");
        var nested = Directory.CreateDirectory(Path.Combine(_root.FullName, "test", "X", "bin", "Debug"));

        Should.Throw<InvalidOperationException>(() => NodeTools.Locate(nested.FullName)).Message.ShouldContain("npm ci");
    }

    [Fact]
    public void The_repository_root_is_the_nearest_folder_with_package_json_and_its_pinned_node_is_preferred()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "package.json"), "{}");
        Directory.CreateDirectory(Path.Combine(_root.FullName, "node_modules", "s3rver", "bin"));
        File.WriteAllText(Path.Combine(_root.FullName, "node_modules", "s3rver", "bin", "s3rver.js"), "");
        var nested = Directory.CreateDirectory(Path.Combine(_root.FullName, "a", "b"));

        var tools = NodeTools.Locate(nested.FullName);
        tools.RepoRoot.ShouldBe(_root.FullName);
        tools.Node.ShouldBe("node", "without node_modules/.bin/node the node on PATH is used");

        Directory.CreateDirectory(Path.Combine(_root.FullName, "node_modules", ".bin"));
        File.WriteAllText(Path.Combine(_root.FullName, "node_modules", ".bin", "node"), "");
        NodeTools.Locate(nested.FullName).Node.ShouldBe(Path.Combine(_root.FullName, "node_modules", ".bin", "node"));
    }

    [Fact]
    public void This_checkout_has_s3rver_installed()
    {
        // The real repository: if this fails, run `npm ci` at the repository root.
        File.Exists(NodeTools.Locate(AppContext.BaseDirectory).S3rverScript).ShouldBeTrue();
    }
}
