using System.Threading.Tasks;
using Xunit;

namespace BackpropGen.CodeFixes.Tests;

public class MakeTypePartialCodeFixTests
{
    [Fact]
    public Task Partial_is_added_after_the_other_modifiers() => CodeFixVerifier<MakeTypePartialCodeFix>.VerifyAsync(
        """
        using BackpropGen;

        public static class {|BPG0001:Layers|}
        {
            [Differentiable]
            public static Tensor F(Tensor x) => x * x;
        }
        """,
        """
        using BackpropGen;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor F(Tensor x) => x * x;
        }
        """);

    [Fact]
    public Task A_type_with_several_differentiable_methods_gets_one_fix_and_keeps_its_comment() => CodeFixVerifier<MakeTypePartialCodeFix>.VerifyAsync(
        """
        using BackpropGen;

        // Losses.
        class {|BPG0001:Losses|}
        {
            [Differentiable]
            public static double F(double x) => x * x;

            [Differentiable]
            public static double G(double x) => x * 3.0;
        }
        """,
        """
        using BackpropGen;

        // Losses.
        partial class Losses
        {
            [Differentiable]
            public static double F(double x) => x * x;

            [Differentiable]
            public static double G(double x) => x * 3.0;
        }
        """);

    [Fact]
    public Task Each_enclosing_type_is_made_partial() => CodeFixVerifier<MakeTypePartialCodeFix>.VerifyAsync(
        """
        using BackpropGen;

        public class {|BPG0001:Outer|}
        {
            internal static class {|BPG0001:Inner|}
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }
        }
        """,
        """
        using BackpropGen;

        public partial class Outer
        {
            internal static partial class Inner
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }
        }
        """,
        iterations: 2,
        fixAllIterations: 1);
}

public class SplitStepCodeFixTests
{
    [Fact]
    public Task The_seed_mean_step_splits_into_the_sum_and_the_scaling_under_its_comment() => CodeFixVerifier<SplitStepCodeFix>.VerifyAsync(
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor Center(Tensor x)
            {
                int N = x.Shape[0];
                // step 1: calculate mean
                var mu = {|BPG0013:1.0 / N * Sum(x, axis: 0)|};
                var xmu = x - mu;
                return xmu;
            }
        }
        """,
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor Center(Tensor x)
            {
                int N = x.Shape[0];
                // step 1: calculate mean
                var t1 = Sum(x, axis: 0);
                var mu = 1.0 / N * t1;
                var xmu = x - mu;
                return xmu;
            }
        }
        """);

    [Fact]
    public Task Nested_operations_become_steps_innermost_first_with_names_not_in_use() => CodeFixVerifier<SplitStepCodeFix>.VerifyAsync(
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor F(Tensor x, [NoGrad] double t1)
            {
                var y = {|BPG0013:Exp(Sqrt(x * x + t1)) - x|};
                return y;
            }
        }
        """,
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor F(Tensor x, [NoGrad] double t1)
            {
                var t2 = x * x;
                var t3 = t2 + t1;
                var t4 = Sqrt(t3);
                var t5 = Exp(t4);
                var y = t5 - x;
                return y;
            }
        }
        """);

    [Fact]
    public Task A_returned_expression_is_split_before_the_return() => CodeFixVerifier<SplitStepCodeFix>.VerifyAsync(
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static double F(double a, double b)
            {
                var c = a * b;
                return {|BPG0013:c * 2.0 - Math.Sin(a)|};
            }
        }
        """.Replace("Math.Sin", "System.Math.Sin"),
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static double F(double a, double b)
            {
                var c = a * b;
                var t1 = c * 2.0;
                var t2 = System.Math.Sin(a);
                return t1 - t2;
            }
        }
        """);

    [Fact]
    public Task An_expression_bodied_method_becomes_a_block() => CodeFixVerifier<SplitStepCodeFix>.VerifyAsync(
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor F(Tensor x) => {|BPG0013:Exp(x) * x|};
        }
        """,
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static partial class Layers
        {
            [Differentiable]
            public static Tensor F(Tensor x)
            {
                var t1 = Exp(x);
                return t1 * x;
            }
        }
        """);
}

public class WriteCustomDerivativeMembersCodeFixTests
{
    [Fact]
    public Task A_custom_derivative_without_members_gets_its_cache_forward_and_a_backward_to_write() => CodeFixVerifier<WriteCustomDerivativeMembersCodeFix>.VerifyAsync(
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static class Activations
        {
            [CustomDerivative]
            public static Tensor {|BPG0018:{|BPG0018:{|BPG0018:Scaled|}|}|}(Tensor x, double s, [NoGrad] double eps) => s * Tanh(x) + eps;
        }
        """,
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        public static class Activations
        {
            [CustomDerivative]
            public static Tensor Scaled(Tensor x, double s, [NoGrad] double eps) => s * Tanh(x) + eps;

            public sealed record ScaledCache(Tensor X, double S, double Eps);

            public static (Tensor Out, ScaledCache Cache) ScaledForward(Tensor x, double s, double eps) => (Scaled(x, s, eps), new ScaledCache(x, s, eps));

            public static (Tensor dx, double ds) ScaledBackward(Tensor dout, ScaledCache cache) =>
                throw new System.NotImplementedException("ScaledBackward: return the gradient of x, s, from dout (the gradient of the result of Scaled) and what ScaledForward kept in the cache");
        }
        """);

    [Fact]
    public Task Only_the_members_the_type_lacks_are_written() => CodeFixVerifier<WriteCustomDerivativeMembersCodeFix>.VerifyAsync(
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        internal static class Activations
        {
            [CustomDerivative]
            internal static Tensor {|BPG0018:Softplus|}(Tensor x) => Log(1.0 + Exp(x));

            internal sealed record SoftplusCache(Tensor X);

            internal static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x) => (Softplus(x), new SoftplusCache(x));
        }
        """,
        """
        using BackpropGen;
        using static BackpropGen.Tensor;

        internal static class Activations
        {
            [CustomDerivative]
            internal static Tensor Softplus(Tensor x) => Log(1.0 + Exp(x));

            internal static Tensor SoftplusBackward(Tensor dout, SoftplusCache cache) =>
                throw new System.NotImplementedException("SoftplusBackward: return the gradient of x, from dout (the gradient of the result of Softplus) and what SoftplusForward kept in the cache");

            internal sealed record SoftplusCache(Tensor X);

            internal static (Tensor Out, SoftplusCache Cache) SoftplusForward(Tensor x) => (Softplus(x), new SoftplusCache(x));
        }
        """);
}
