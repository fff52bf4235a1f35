using System.CommandLine;
using Storemon.Cli.Commands;

// storemon: import the three CSV kinds into a database, compute the uptime report, generate data.
var root = new RootCommand($"storemon: uptime and downtime of stores within their business hours.\n\n{ExitCodes.Convention}")
{
    ImportCommand.Create(),
    ReportCommand.Create(),
    GenerateCommand.Create(),
};
return await ExitCodes.InvokeAsync(root, args);
