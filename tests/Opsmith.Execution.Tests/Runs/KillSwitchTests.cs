using Opsmith.Execution.Runs;

namespace Opsmith.Execution.Tests.Runs;

/// <summary>The kill switch fails closed: whatever is at its path and is not a complete state counts as on, with a reason.</summary>
public sealed class KillSwitchTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsmith-kill-switch-").FullName;
    private KillSwitch Switch => new(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void No_file_means_off()
    {
        Assert.Null(Switch.Read());
    }

    [Fact]
    public void A_state_written_by_turn_on_reads_back()
    {
        var state = new KillSwitchState("user:alice", new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), "incident 42");
        Switch.TurnOn(state);

        Assert.Equal(state, Switch.Read());
    }

    [Fact]
    public void An_empty_reason_is_a_complete_state()
    {
        Switch.TurnOn(new KillSwitchState("user:alice", DateTimeOffset.UnixEpoch, ""));

        Assert.Equal("", Switch.Read()!.Reason);
    }

    [Theory]
    [InlineData("{}", "no 'By'")]
    [InlineData("""{"By":"user:alice"}""", "no 'Since'")]
    [InlineData("""{"By":"user:alice","Since":"2026-11-30T09:00:00+00:00"}""", "no 'Reason'")]
    [InlineData("""{"By":null,"Since":"2026-11-30T09:00:00+00:00","Reason":"x"}""", "'By' is not text")]
    [InlineData("""{"By":"","Since":"2026-11-30T09:00:00+00:00","Reason":"x"}""", "'By' is empty")]
    [InlineData("""{"By":"a","Since":"yesterday","Reason":"x"}""", "'Since' is not a time")]
    [InlineData("""{"By":7,"Since":1,"Reason":[]}""", "'By' is not text")]
    [InlineData("null", "does not hold a JSON object")]
    [InlineData("[]", "does not hold a JSON object")]
    [InlineData("\"on\"", "does not hold a JSON object")]
    [InlineData("{\"By\":", "is not JSON")]
    [InlineData("", "is empty")]
    [InlineData("  \n", "is empty")]
    public void A_file_that_is_not_a_complete_state_counts_as_on_and_says_why(string content, string why)
    {
        File.WriteAllText(Switch.FilePath, content);

        var state = Switch.Read();

        Assert.NotNull(state);
        Assert.Contains(why, state.Reason);
        Assert.Contains(why, state.ToString());
    }

    [Fact]
    public void An_incomplete_file_keeps_who_and_why_when_it_has_them()
    {
        File.WriteAllText(Switch.FilePath, """{"By":"user:alice","Reason":"db failover"}""");

        var state = Switch.Read()!;

        Assert.Equal("user:alice", state.By);
        Assert.Contains("db failover", state.Reason);
        Assert.Contains("no 'Since'", state.Reason);
    }

    [Fact]
    public void A_folder_at_the_kill_switch_path_counts_as_on()
    {
        Directory.CreateDirectory(Switch.FilePath);

        var state = Switch.Read();

        Assert.NotNull(state);
        Assert.Equal(KillSwitchState.Unknown, state.By);
        Assert.Contains("is a folder", state.Reason);
    }

    [Fact]
    public async Task A_named_pipe_at_the_kill_switch_path_counts_as_on_without_being_opened()
    {
        // Given a FIFO where the switch's file belongs (opening one for reading blocks until someone writes)
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Switch.FilePath])) await mkfifo.WaitForExitAsync();

        // When the switch is read (a guard against a hang, not a timing: reading a FIFO would block for ever)
        var read = Task.Run(() => Switch.Read());
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromMinutes(1))) == read;
        if (!finished) await File.WriteAllTextAsync(Switch.FilePath, "{}"); // unblock the reader before failing

        // Then it is on, saying what is there
        Assert.True(finished, "reading the kill switch blocked on a named pipe");
        var state = await read;
        Assert.Equal(KillSwitchState.Unknown, state!.By);
        Assert.Contains("named pipe", state.Reason);
    }

    [Fact]
    public void A_file_that_cannot_be_read_counts_as_on()
    {
        File.WriteAllText(Switch.FilePath, "{}");
        File.SetUnixFileMode(Switch.FilePath, UnixFileMode.None);
        if (Environment.UserName == "root") return; // root reads it anyway; the mode test means nothing there

        Assert.Contains("cannot be read", Switch.Read()!.Reason);
    }

    [Fact]
    public void A_link_to_nowhere_counts_as_on()
    {
        File.CreateSymbolicLink(Switch.FilePath, Path.Combine(_folder, "gone"));

        Assert.NotNull(Switch.Read());
    }

    [Fact]
    public void A_file_too_large_to_be_a_state_counts_as_on()
    {
        File.WriteAllText(Switch.FilePath, new string(' ', 100_000) + "{}");

        Assert.Contains("larger than", Switch.Read()!.Reason);
    }
}
