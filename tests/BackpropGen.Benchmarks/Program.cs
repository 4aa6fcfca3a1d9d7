using System;
using System.Linq;
using BackpropGen.Benchmarks;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/BackpropGen.Benchmarks -- <mode>
//   --filter '*'   every BatchNorm size, BenchmarkDotNet's default job (the full run; any BenchmarkDotNet argument works)
//   quick          two sizes, ShortRun job: a CI smoke run
//   check          the backwards agree with each other, and the loop benchmarks' gradients with central differences (fast; no timing)
//   cache [N D]    bytes held by each BatchNorm cache (default 2048 1024)
//   generator [M]  generator cost over M synthetic [Differentiable] methods (default 500)
//   time [N D R]   a quick interleaved stopwatch comparison at one size (default 2048 1024, 21 rounds)
//   gemm [S R]     Dot S×S×S, the packed kernel against the old row-streaming one, interleaved (default 1024, 11 rounds)
//   conv [F R]     Conv2D 3×3 + MaxPool2D on [32, 16, 32, 32] with F filters, forward and backward (default 32, as libtorch is timed; 15 rounds)
//   loops [R]      issue #13: the Monte Carlo call, RK4 and the RNN, checked, then interleaved with a collection and a pause before each call (default 15 rounds)
//   checkpoint [N D L R]  issue #16: a stack of L residual blocks, plain and [Checkpoint]: cache bytes and forward + backward time (default 256 256 64, 9 rounds)
//   --filter '*Rk4*' (or *MonteCarlo*, *Rnn*)   the same loop benchmarks under BenchmarkDotNet
switch (args.FirstOrDefault())
{
    case "check":
        return AgreementCheck.Run() | LoopTimer.Check();
    case "cache":
        CacheSizes.Run(args.Length > 2 ? int.Parse(args[1]) : 2048, args.Length > 2 ? int.Parse(args[2]) : 1024);
        return 0;
    case "time":
        QuickTimer.Run(args.Length > 2 ? int.Parse(args[1]) : 2048, args.Length > 2 ? int.Parse(args[2]) : 1024, args.Length > 3 ? int.Parse(args[3]) : 21);
        return 0;
    case "gemm":
        GemmTimer.Run(args.Length > 1 ? int.Parse(args[1]) : 1024, args.Length > 2 ? int.Parse(args[2]) : 11);
        return 0;
    case "conv":
        ConvTimer.Run(args.Length > 1 ? int.Parse(args[1]) : 32, args.Length > 2 ? int.Parse(args[2]) : 15);
        return 0;
    case "loops":
        return LoopTimer.Run(args.Length > 1 ? int.Parse(args[1]) : 15);
    case "checkpoint":
        return CheckpointCost.Run(
            args.Length > 2 ? int.Parse(args[1]) : 256,
            args.Length > 2 ? int.Parse(args[2]) : 256,
            args.Length > 3 ? int.Parse(args[3]) : 64,
            args.Length > 4 ? int.Parse(args[4]) : 9);
    case "generator":
        return GeneratorCost.Run(args.Length > 1 ? int.Parse(args[1]) : 500);
    case "quick":
        Environment.SetEnvironmentVariable(BatchNormBenchmarks.QuickVariable, "1");
        var quick = DefaultConfig.Instance.AddJob(Job.ShortRun).AddColumn(StatisticColumn.Median);
        var rest = args.Skip(1).ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(BatchNormBenchmarks).Assembly).Run(rest.Length > 0 ? rest : ["--filter", "*"], quick);
        return 0;
    default:
        if (AgreementCheck.Run() != 0)
        {
            return 1;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BatchNormBenchmarks).Assembly)
            .Run(args, DefaultConfig.Instance.AddColumn(StatisticColumn.Median));
        return 0;
}
