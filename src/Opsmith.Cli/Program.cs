using Opsmith.Cli;

InheritedDescriptors.MarkCloseOnExec();

// Installed for the life of the process and never removed: a signal that arrives while the command winds down
// (a dropped SSH session sends several) must not fall back to its default action and end the process early.
var signals = InterruptSignals.Install(Console.Error);
return await OpsmithCli.RunAsync(args, Console.Out, Console.Error, signals.Token, signals.Hurried);
