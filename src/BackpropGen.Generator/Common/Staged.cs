using System;

namespace BackpropGen.Generator.Common;

/// <summary>
/// The outcome of one pipeline stage for one method: its value, or what went wrong. An exception thrown by a stage
/// would fail the whole generator run and drop the code of every method in the compilation (CS8785); caught here, it
/// costs only the method it was thrown for, and is reported naming it.
/// </summary>
internal sealed record Staged<T>(T? Value, string Method, string? Failure)
    where T : class
{
    /// <summary>The next stage applied to the value; a failure is passed on as it is.</summary>
    public Staged<TNext> Then<TNext>(Func<T, TNext> stage)
        where TNext : class =>
        Value is null ? new Staged<TNext>(null, Method, Failure) : Staged.Run(Method, Value, stage);
}

internal static class Staged
{
    public static Staged<TNext> Run<T, TNext>(string method, T value, Func<T, TNext> stage)
        where TNext : class
    {
        try
        {
            return new Staged<TNext>(stage(value), method, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new Staged<TNext>(null, method, exception.GetType().Name + ": " + exception.Message);
        }
    }
}
