namespace StaticAssets.Engine.Core;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>A warning or error with a stable code (docs/errors.md). Made only by <see cref="Messages"/>.</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message)
{
    public static Diagnostic Error(string code, string message) => new(code, DiagnosticSeverity.Error, message);

    public static Diagnostic Warning(string code, string message) => new(code, DiagnosticSeverity.Warning, message);

    /// <summary>The failure that ends the publish with this error.</summary>
    public StaticAssetsException AsException(Exception? inner = null) => new(this, inner);

    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()} {Code}: {Message}";
}

/// <summary>A failure that ends the publish, carrying the one diagnostic that explains it.</summary>
public sealed class StaticAssetsException(Diagnostic diagnostic, Exception? inner = null)
    : Exception(diagnostic.Message, inner)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}
