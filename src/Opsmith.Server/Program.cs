// opsmith-server: the same server as `opsmith serve`, as its own program (and the entry point tests host).
await Opsmith.Server.OpsmithServer.Build(args).RunAsync();

namespace Opsmith.Server
{
    /// <summary>The entry point's type, for WebApplicationFactory.</summary>
    public partial class Program;
}
