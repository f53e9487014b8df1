using Opsmith.Cli;

return await OpsmithCli.RunAsync(args, Console.Out, Console.Error);
