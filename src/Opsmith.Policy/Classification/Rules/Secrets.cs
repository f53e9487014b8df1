using System.Text.RegularExpressions;
using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Files whose content is a secret: password hashes, private keys, cloud and cluster credentials, a process's
/// environment. Reading them stays <c>read</c> but is marked <see cref="ClassificationFlags.SensitiveRead"/>.
/// </summary>
internal static partial class Secrets
{
    public static bool IsSecretPath(ShellWord word) => word.Text.Length > 0 && IsSecretPath(word.Text);

    public static bool IsSecretPath(string text)
    {
        if (text.EndsWith(".pub", StringComparison.Ordinal)) return false;
        var path = text.StartsWith('/') ? Paths.Normalize(text, out _) : text;
        return SecretPath().IsMatch(path);
    }

    /// <summary>A read-only program given a secret file among its arguments.</summary>
    public static Verdict Mark(Invocation call, Verdict verdict) =>
        verdict.Tier == Core.Skills.RiskTier.Read && call.Words.Any(w => w.IsLiteral && IsSecretPath(w))
            ? verdict.With(ClassificationFlags.SensitiveRead) with { Reason = verdict.Reason + "; it prints a file that holds secrets" }
            : verdict;

    [GeneratedRegex(@"(^|/)(etc/(g?shadow-?|sudoers|ssl/private(/.*)?|ssh/ssh_host_\w+_key|kubernetes/(admin|controller-manager|scheduler|kubelet|super-admin)\.conf|kubernetes/pki/.*\.key|letsencrypt/(live|archive)/.*(privkey|\.key).*|openvpn/.*\.key|wireguard/.*\.conf|rancher/k3s/k3s\.yaml|mysql/debian\.cnf|credstore(\.encrypted)?(/.*)?|vault\.d/.*token.*)|\.ssh/id_\w+|\.ssh/.*_key|\.aws/credentials|\.azure/(accessTokens\.json|msal_token_cache\.\w+)|\.config/gcloud/(credentials\.db|access_tokens\.db|application_default_credentials\.json|legacy_credentials(/.*)?)|\.kube/config|\.docker/config\.json|\.pgpass|\.my\.cnf|\.netrc|\.git-credentials|\.vault-token|\.npmrc|\.pypirc|proc/[^/]+/environ|run/secrets/.*|var/run/secrets/.*|var/lib/kubelet/pods/.*/volumes/kubernetes\.io~secret/.*|.*\.(key|p12|pfx|jks|keystore)|.*id_(rsa|ecdsa|ed25519|dsa))$")]
    private static partial Regex SecretPath();
}
