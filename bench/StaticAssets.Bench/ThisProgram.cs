using System.Diagnostics;

namespace StaticAssets.Bench;

/// <summary>How to start this program again in one of its child modes (proxy, publish, rollback): its apphost where the
/// build made one, else the dotnet host with this assembly.</summary>
internal static class ThisProgram
{
    /// <summary>The executable and the arguments that come before the child mode's own.</summary>
    public static (string Executable, string[] Leading) Command()
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "StaticAssets.Bench");
        return File.Exists(apphost) ? (apphost, []) : (Environment.ProcessPath!, [typeof(ThisProgram).Assembly.Location]);
    }

    /// <summary>A start of this program with <paramref name="args"/> (the child mode first), not through a shell.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var (executable, leading) = Command();
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var arg in leading.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }
}
