using Opsmith.Execution.Processes;

namespace Opsmith.Execution.Tests.Linting;

public sealed class ScratchFolderTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public void A_scratch_folder_is_private_and_in_memory_when_the_machine_has_a_memory_file_system()
    {
        var folder = ScratchFolder.Create("opsmith-scratch-test-");
        try
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(folder.FullName));
            var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            var expected = runtime is { Length: > 0 } && Directory.Exists(runtime) ? runtime : "/dev/shm";
            Assert.True(Directory.Exists("/dev/shm"), "these tests run on Linux, which has /dev/shm");
            Assert.Equal(Path.TrimEndingDirectorySeparator(expected), Path.GetDirectoryName(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Asked_for_disk_it_is_made_in_the_temporary_folder()
    {
        var folder = ScratchFolder.Create("opsmith-scratch-test-", inMemory: false);
        try
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(folder.FullName));
            Assert.Equal(Path.TrimEndingDirectorySeparator(Path.GetTempPath()), Path.GetDirectoryName(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
