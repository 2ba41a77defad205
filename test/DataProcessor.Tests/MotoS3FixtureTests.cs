namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>The S3 integration tests must fail loudly, not skip, when their server cannot start.</summary>
public sealed class MotoS3FixtureTests
{
    [Fact]
    public async Task Without_the_interpreter_the_error_says_what_to_install()
    {
        await using var fixture = new Disposing(new MotoS3Fixture());
        var ex = await Should.ThrowAsync<MotoStartException>(() => fixture.Value.StartAsync("/nonexistent/python3", 1));
        ex.Message.ShouldContain("moto[server]");
    }

    [Fact]
    public async Task Without_moto_the_error_says_what_to_install_and_shows_the_output()
    {
        // /bin/false stands for an interpreter without moto: it exits at once, before listening.
        await using var fixture = new Disposing(new MotoS3Fixture());
        var ex = await Should.ThrowAsync<MotoStartException>(() => fixture.Value.StartAsync("/bin/false", 1));
        ex.Message.ShouldContain("pip install 'moto[server]'");
        ex.Message.ShouldContain("not skipped");
    }

    private sealed class Disposing(MotoS3Fixture value) : IAsyncDisposable
    {
        public MotoS3Fixture Value => value;

        public async ValueTask DisposeAsync() => await value.DisposeAsync();
    }
}
