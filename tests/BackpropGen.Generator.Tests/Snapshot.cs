using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace BackpropGen.Generator.Tests;

/// <summary>
/// Snapshot files in Verify's layout: <c>{Class}.{Test}#{HintName}.verified.cs</c> beside the test file. A mismatch writes
/// <c>.received.cs</c> next to it and fails; set <c>ACCEPT_SNAPSHOTS=1</c> to accept what was received. This is the one
/// file to replace when Verify.SourceGenerators becomes available.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "ACCEPT_SNAPSHOTS";

    public static void Verify(
        string received,
        string hintName,
        [CallerFilePath] string testFile = "",
        [CallerMemberName] string testName = "")
    {
        testFile = LocateSource(testFile);
        var directory = Path.GetDirectoryName(testFile)!;
        var testClass = Path.GetFileNameWithoutExtension(testFile);
        var stem = Path.Combine(directory, $"{testClass}.{testName}#{Path.GetFileNameWithoutExtension(hintName)}");
        var verifiedPath = stem + ".verified.cs";
        var receivedPath = stem + ".received.cs";
        received = received.Replace("\r\n", "\n");

        var verified = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).Replace("\r\n", "\n") : null;
        if (verified == received)
        {
            File.Delete(receivedPath);
            return;
        }

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verifiedPath, received);
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        throw new XunitException(
            verified is null
                ? $"No snapshot yet: review {receivedPath}, then rename it to .verified.cs or rerun with {AcceptVariable}=1."
                : $"The generated {hintName} differs from its snapshot: compare {receivedPath} with {verifiedPath}; accept with {AcceptVariable}=1.");
    }

    /// <summary>
    /// The test file on disk. A CI build (ContinuousIntegrationBuild) maps source paths to <c>/_/…</c>; the mapped part is
    /// looked up under the folders above the test assembly.
    /// </summary>
    private static string LocateSource(string testFile)
    {
        if (File.Exists(testFile) || !testFile.StartsWith("/_/", StringComparison.Ordinal))
        {
            return testFile;
        }

        var relative = testFile.Substring(3);
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new XunitException($"Cannot find the test source {testFile} above {AppContext.BaseDirectory}.");
    }
}
