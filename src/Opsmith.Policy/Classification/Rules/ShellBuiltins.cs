using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Shell builtins that can change what later commands run or run a command themselves: <c>hash -p</c>,
/// <c>enable -f</c>, <c>mapfile -C</c>, <c>fc -s</c>; and <c>history</c>, which reads unless asked to clear or write.
/// </summary>
internal static class ShellBuiltins
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["hash"] = Hash,
        ["enable"] = Enable,
        ["history"] = History,
        ["mapfile"] = Mapfile,
        ["readarray"] = Mapfile,
        ["fc"] = call => call.HasShort('l') ? Verdict.Read("fc.list", "lists earlier commands")
            : Verdict.Unknown("fc.rerun", "fc runs earlier commands again (or opens an editor on them); which ones is not on the command line"),
    };

    private static Verdict Hash(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "pt", []);
        if (options.Value("-p") is { } path)
        {
            foreach (var name in call.Args.Skip(options.FirstPositional)) call.Session.NoteRedefined(name);
            return Verdict.Read("hash.redefine", $"makes later commands run {path} by another name (they are judged as unknown)");
        }
        return Verdict.Read("hash.list", "lists or forgets remembered program locations");
    }

    private static Verdict Enable(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "f", []);
        if (options.Value("-f") is { } library)
        {
            foreach (var name in call.Args.Skip(options.FirstPositional)) call.Session.NoteRedefined(name);
            return Verdict.Unknown("enable.load-builtin", $"loads {library} into the shell as a builtin; its code is not read here");
        }
        if (options.Has("-n") || options.Has("-d"))
        {
            foreach (var name in call.Args.Skip(options.FirstPositional)) call.Session.NoteRedefined(name);
            return Verdict.Read("enable.disable-builtin", "turns builtins off, so their names run programs found on PATH (judged as unknown)");
        }
        return Verdict.Read("enable.list", "lists builtins");
    }

    private static Verdict History(Invocation call)
    {
        if (call.HasShort('c') || call.HasShort('d')) return Verdict.Service("history.clear", "clears or deletes entries of this shell's history");
        if (call.HasShort('w') || call.HasShort('a'))
        {
            var file = call.Positionals().FirstOrDefault();
            return file is null ? Verdict.Service("history.write", "writes the history file") : Targets.Write(file, "history", replaces: call.HasShort('w'));
        }
        if (call.HasShort('s') || call.HasShort('r') || call.HasShort('n')) return Verdict.Read("history.edit-list", "adds to this shell's in-memory history");
        return Verdict.Read("history.list", "lists this shell's earlier commands");
    }

    /// <summary><c>mapfile -C CALLBACK</c> runs CALLBACK (as shell text) every -c lines.</summary>
    private static Verdict Mapfile(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "dnOsuCct", []);
        if (options.Value("-C") is not { } callback) return Verdict.Read($"{call.Program}.read", "reads lines into an array");
        call.Session.Script(callback, [.. call.Via, $"{call.Program} -C"]);
        return Verdict.Read($"{call.Program}.callback", "runs its callback on the lines it reads (judged on its own)");
    }
}
