namespace Opsmith.Policy.Classification;

/// <summary>What the policy engine must know about a command besides its tier.</summary>
[Flags]
public enum ClassificationFlags
{
    None = 0,

    /// <summary>
    /// Part of the command could not be read with confidence: an unknown program, verb or option, a program or
    /// argument known only at run time, input the classifier cannot see. Such a command is at least destructive.
    /// </summary>
    Uncertain = 1,

    /// <summary>The command prints secret values (a private key, /etc/shadow, a Kubernetes or Vault secret).</summary>
    SensitiveRead = 2,

    /// <summary>
    /// The command writes or removes files under /tmp or /var/tmp. It is classified read on the condition that it
    /// runs with a private /tmp (a mount namespace of its own); without that sandbox it changes the host.
    /// </summary>
    NeedsPrivateTmp = 4,
}
