namespace Opsmith.Execution.Runs;

/// <summary>
/// Where the executor learns whether the kill switch is on. Read before every step above <c>read</c>; the
/// policy engine decides with what it says. Anything that cannot be read must read as on.
/// </summary>
public interface IKillSwitch
{
    /// <summary>Null when the switch is off; otherwise who switched it on, when and why.</summary>
    KillSwitchState? Read();
}
