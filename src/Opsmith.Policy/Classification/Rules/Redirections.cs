using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary><c>&gt; FILE</c>, <c>&gt;&gt; FILE</c>, <c>&amp;&gt; FILE</c>, <c>&lt;&gt; FILE</c>: the shell itself writes, whatever the program is.</summary>
internal static class Redirections
{
    public static Verdict Judge(Redirection redirection, SimpleCommand command)
    {
        if (redirection.Target is not { } target) return Verdict.Read("redirect.none", "no target");
        var text = target.Text;
        if (text.StartsWith("/dev/tcp/", StringComparison.Ordinal) || text.StartsWith("/dev/udp/", StringComparison.Ordinal))
        {
            if (command.Words.Count == 0 || command.Words[0].Text == "exec")
                return RawProtocol.Port(text) is { } port && PathContext.Inventory.IsDatastorePort(port)
                    ? Verdict.Data("redirect.network-descriptor-datastore", $"opens {text}, a datastore's port, for commands that write to it later; what they send is not read here").With(ClassificationFlags.Uncertain)
                    : Verdict.Unknown("redirect.network-descriptor", $"opens {text} for commands that write to it later; what they send is not read here");
            var sent = Stdin.EchoedText(command);
            return RawProtocol.Judge("redirect-network", sent, sent is null ? StdinKind.Pipe : StdinKind.HereDoc, RawProtocol.Port(text));
        }
        var replaces = !redirection.Appends && redirection.Operator != "<>";
        // "> /etc/resolv.conf" with nothing (or nothing printed) before it empties the file.
        if (replaces && PrintsNothing(command) && Paths.Kind(target) is PathKind.System)
            return Verdict.Destructive("redirect.truncate-system-file", $"empties {text}; whatever the system read from it is gone");
        return Targets.Write(target, "redirect", replaces);
    }

    private static bool PrintsNothing(SimpleCommand command) =>
        command.Words.Count == 0 || command.Words[0].Text is ":" or "true" or "false"
        || command.Words[0].Text is "echo" or "printf" && command.Words.Skip(1).All(w => w.Text is "" or "-n");
}
