using System.Collections.Generic;

namespace BackpropGen.GradBench.Evals;

/// <summary>The GradBench modules this tool implements.</summary>
public static class Modules
{
    public static IReadOnlyList<EvalModule> All { get; } = [Hello.Module, LogSumExpEval.Module, LeastSquaresEval.Module, OdeEval.Module, GmmEval.Module, LstmEval.Module, BundleAdjustmentEval.Module];
}
