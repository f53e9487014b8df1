using System.Text.RegularExpressions;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>chmod, chown, chgrp, chattr, setfacl: wrong owners or modes on system paths break logins and services, or open them up.</summary>
internal static partial class Permissions
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["chmod"] = call => Change(call, "chmod"),
        ["chown"] = call => Change(call, "chown"),
        ["chgrp"] = call => Change(call, "chgrp"),
        ["chattr"] = call => Change(call, "chattr"),
        ["setfacl"] = call => Change(call, "setfacl"),
        ["chcon"] = call => Change(call, "chcon"),
        ["restorecon"] = call => Verdict.Service("restorecon.labels", "resets SELinux labels"),
    };

    private static Verdict Change(Invocation call, string program)
    {
        var recursive = call.HasShort('R') || call.Has("--recursive") || program == "setfacl" && call.HasShort('R');
        var positionals = call.Positionals("-m", "-M", "-x", "-X", "--modify", "--set", "-t", "-u", "-r", "--reference").ToList();
        var takesSpec = program is "chmod" or "chown" or "chgrp" or "chattr" or "chcon" && !call.Args.Any(a => a.StartsWith("--reference", StringComparison.Ordinal));
        var spec = takesSpec && positionals.Count > 0 ? positionals[0].Text : "";
        var targets = takesSpec ? positionals.Skip(1) : positionals;
        var verdicts = targets.Select(target => Paths.Kind(target) switch
        {
            PathKind.Safe or PathKind.TempRoot => Verdict.PrivateTmp($"{program}.temp-path", $"changes {target.Text}, a temporary path"),
            PathKind.Critical or PathKind.DataAncestor when recursive || IsTopLevel(target.Text) =>
                Verdict.Destructive($"{program}.recursive-system-path", $"changes {target.Text}{(recursive ? " and everything under it" : "")}, which the whole system depends on"),
            PathKind.Data => Verdict.Data($"{program}.data-path", $"changes ownership or permissions of {target.Text}{(recursive ? " and everything under it" : "")}, where stored data lives"),
            PathKind.Critical => Verdict.Destructive($"{program}.critical-system-file", $"changes {target.Text}, which logins, boot or the system depend on"),
            PathKind.Unknown => Verdict.Destructive($"{program}.unknown-path", $"changes {target.Text}, a path known only when it runs"),
            _ => Verdict.Service($"{program}.permissions", $"changes ownership or permissions of {target.Text}"),
        }).ToList();
        if (program == "chmod" && SetUid().IsMatch(spec))
            verdicts.Add(Verdict.Destructive("chmod.setuid", $"mode {spec} makes programs run with their owner's rights"));
        if (program == "chmod" && WorldWritable().IsMatch(spec) && recursive)
            verdicts.Add(Verdict.Destructive("chmod.world-writable-recursive", $"mode {spec} recursively lets every user change the files"));
        return Targets.Worst(verdicts, Verdict.Read($"{program}.nothing", "no path given"));
    }

    /// <summary>A mode (<c>4755</c>, <c>u+s</c>) that makes a program run with its owner's or group's rights.</summary>
    internal static bool IsSetUid(string mode) => SetUid().IsMatch(mode);

    private static bool IsTopLevel(string path) => Paths.Normalize(path, out _).Count(c => c == '/') <= 1;

    [GeneratedRegex(@"^([0-7]?[4-7][0-7]{3}|.*[ugoa]*\+[rwxXt]*s.*)$")]
    private static partial Regex SetUid();

    [GeneratedRegex(@"^(0?[0-7]{2}[2367]|o\+w|a\+w|\+w|777|666)$")]
    private static partial Regex WorldWritable();
}
