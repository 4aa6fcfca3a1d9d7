using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace BackpropGen.Generator.Tests;

/// <summary>A value of a random program: a tensor of a known shape, or a double (<see cref="Shape"/> null).</summary>
internal sealed record RandomValue(string Name, int[]? Shape)
{
    public bool IsDouble => Shape is null;

    public int Rank => Shape?.Length ?? 0;
}

/// <summary>A parameter of a random program and how the test makes its argument.</summary>
internal sealed record RandomParameter(string Name, string Type, int[]? Shape, bool IsDifferentiable);

/// <summary>A straight-line <c>[Differentiable]</c> method drawn at random, with what the test needs to call it.</summary>
internal sealed record RandomProgram(int Seed, string MethodName, string Source, IReadOnlyList<RandomParameter> Parameters, int[]? ResultShape, int[] Labels);

/// <summary>
/// Draws straight-line programs from the whole op set of SPEC.md §3: elementwise arithmetic with broadcasting in both
/// directions and against doubles, the unary functions, Clip and Where, reductions (Max and Min too) with and without
/// axis and keepDims (LogSumExp too), Softmax and LogSoftmax along an axis, Dot, Transpose, Reshape, Pick, Slice, Take,
/// Concat, Stack, Transpose by axes, System.Math on doubles (Max and Min too), compound right-hand sides, values used
/// twice in one expression, and reassignment of earlier values (<c>=</c>, <c>+=</c>, <c>-=</c>, <c>*=</c>).
/// Arguments of Log, Sqrt, Pow and divisions are kept away from their poles so that central differences are meaningful.
/// </summary>
internal sealed class RandomProgramBuilder
{
    private readonly Random _random;
    private readonly int _seed;
    private readonly List<RandomValue> _values = new();

    /// <summary>The values seen at each return from a loop, in the order of their marks in the body.</summary>
    private readonly List<List<RandomValue>> _returns = new();
    private readonly List<RandomParameter> _parameters = new();
    private readonly StringBuilder _body = new();
    private readonly int _n;
    private readonly int _d;
    private readonly int[] _labels;
    private readonly bool _rowwise;
    private readonly bool _flow;
    private int _steps;
    private int _loops;
    private string _indent = "        ";

    /// <summary>How deeply the statement being drawn is nested in loops and branches.</summary>
    private int _depth;

    /// <summary>The counter of the loop being drawn in, if any, which a branch inside it may test.</summary>
    private string? _counter;

    /// <summary>How many loops the statement being drawn is nested in.</summary>
    private int _loopNesting;

    private RandomProgramBuilder(int seed, bool rowwise, bool flow = false)
    {
        _seed = seed;
        _rowwise = rowwise;
        _flow = flow;
        _random = new Random(seed);
        _n = _random.Next(2, 5);
        _d = rowwise ? _random.Next(2, 10) : _random.Next(2, 5);
        _labels = Enumerable.Range(0, _n).Select(_ => _random.Next(0, 2)).ToArray();
    }

    public static RandomProgram Build(int seed) => new RandomProgramBuilder(seed, rowwise: false).Build();

    /// <summary>
    /// A program whose steps are drawn into loops (for, counting by one or by two, and while, to two levels) and branches
    /// (on the row count, on a loop's counter, or on a value the arm writes over): inside them, earlier values are written
    /// over more often, so that state is carried from one iteration to the next. Its doubles are now and then element
    /// reads of a tensor (<c>v2[i1 % 3, 1]</c>).
    /// </summary>
    public static RandomProgram BuildWithControlFlow(int seed) => new RandomProgramBuilder(seed, rowwise: false, flow: true).Build();

    /// <summary>
    /// A program of elementwise steps and reductions only (no Dot, Transpose, Reshape or Pick), rows up to 9 wide so
    /// that they end in a partial lane: the programs a fused backward is made for.
    /// </summary>
    public static RandomProgram BuildRowwise(int seed) => new RandomProgramBuilder(seed, rowwise: true).Build();

    private RandomProgram Build()
    {
        var name = "P" + _seed.ToString(CultureInfo.InvariantCulture);
        AddParameter("x", new[] { _n, _d });
        var shapes = new[] { new[] { _d }, new[] { 1, _d }, new[] { _n, 1 }, new[] { _n, _d }, new[] { _d, _n }, null };
        var extra = _random.Next(1, 4);
        for (var i = 0; i < extra; i++)
        {
            AddParameter("p" + i, shapes[_random.Next(shapes.Length)]);
        }

        var stepCount = _random.Next(2, 9);
        for (var i = 0; i < stepCount; i++)
        {
            AddStatement();
        }

        // The result depends on the last step and on x too.
        var last = _values[^1];
        _body.Append($"{_indent}return {ResultOf(last)};\n");
        for (var i = 0; i < _returns.Count; i++)
        {
            _body.Replace(ReturnMark(i), ReturnAt(_returns[i], last));
        }

        var signature = string.Join(", ", _parameters.Select(p => (p.IsDifferentiable ? string.Empty : "[NoGrad] ") + p.Type + " " + p.Name));
        var returnType = last.IsDouble ? "double" : "Tensor";
        var source = $"    [Differentiable]\n    public static {returnType} {name}({signature}, int[] labels)\n    {{\n{_body}    }}\n";
        return new RandomProgram(_seed, name, source, _parameters, last.Shape, _labels);
    }

    private void AddParameter(string name, int[]? shape)
    {
        // Now and then a parameter is [NoGrad]: it is read but gets no gradient.
        var differentiable = name == "x" || _random.Next(5) > 0;
        _parameters.Add(new RandomParameter(name, shape is null ? "double" : "Tensor", shape, differentiable));
        _values.Add(new RandomValue(name, shape));
    }

    private static readonly string[] Reassignments = { "=", "+=", "-=", "*=" };

    /// <summary>A step, or in a control-flow program now and then a loop or a branch of steps.</summary>
    private void AddStatement()
    {
        // Two levels of loops and branches; in a loop, a branch may hold one more, so that jumps nest in branches.
        var kind = _flow && _depth < 2 ? _random.Next(5) : _flow && _depth == 2 && _loopNesting > 0 && _random.Next(4) == 0 ? 1 : 4;
        switch (kind)
        {
            case 0:
                AddLoop();
                break;
            case 1:
                AddBranch();
                break;
            default:
                AddStep();
                break;
        }
    }

    private void AddLoop()
    {
        var trips = _random.Next(0, 4);
        var form = _random.Next(3);

        // A while loop's counter is declared in the block around it and needs a name of its own; a for loop's is in
        // scope in the loop only, so loops side by side reuse one name per level of nesting, as users write them.
        var counter = form == 1 ? "i" + ++_loops : "k" + _loopNesting;
        var header = form switch
        {
            0 => $"for (int {counter} = 0; {counter} < {2 * trips}; {counter} += 2)",
            1 => $"int {counter} = 0;\n{_indent}while ({counter} < {trips})",
            _ => $"for (int {counter} = 0; {counter} < {trips}; {counter}++)",
        };
        _body.Append($"{_indent}{header}\n{_indent}{{\n");
        if (form == 1)
        {
            // Counted first, so that a continue does not skip the count.
            _body.Append($"{_indent}    {counter}++;\n");
        }

        var outer = _counter;
        _counter = counter;
        _loopNesting++;
        AddBlock();
        _loopNesting--;

        _counter = outer;
        _body.Append($"{_indent}}}\n");
    }

    private void AddBranch()
    {
        // Conditions no central difference can flip: the row count, a loop's counter, or a square's sum that is never
        // negative (on a value the arm may write over, so that the forward records the arm).
        var value = PickWhere(v => !v.IsDouble);
        var condition = _random.Next(3) switch
        {
            0 when _counter is not null => $"{_counter} % 2 == 0",
            1 when value is not null => $"Sum(Square({value.Name})) >= 0.0",
            _ => $"x.Shape[0] > {_random.Next(1, 5)}",
        };
        _body.Append($"{_indent}if ({condition})\n{_indent}{{\n");
        AddBlock();
        var jumped = AddJump();
        _body.Append($"{_indent}}}\n");
        if (_random.Next(2) == 0)
        {
            _body.Append($"{_indent}else\n{_indent}{{\n");
            AddBlock();

            // Not both arms: what follows the branch would never run (a warning in the user's code and in the generated).
            if (!jumped)
            {
                AddJump();
            }

            _body.Append($"{_indent}}}\n");
        }
    }

    /// <summary>
    /// Now and then, in a loop, an arm ends by leaving the iteration or the loop: the arm may sit in other branches, and
    /// the statements after it then run only on the paths that did not jump.
    /// </summary>
    private bool AddJump()
    {
        if (_loopNesting == 0 || _random.Next(2) != 0)
        {
            return false;
        }

        switch (_random.Next(3))
        {
            case 0:
                _body.Append($"{_indent}    break;\n");
                break;
            case 1:
                _body.Append($"{_indent}    continue;\n");
                break;
            default:
                // A return from the loop, of a value seen here: which is known only once the result's shape is.
                _body.Append($"{_indent}    {ReturnMark(_returns.Count)}\n");
                _returns.Add(_values.ToList());
                break;
        }

        return true;
    }

    private static string ReturnMark(int index) => $"/* return {index} */";

    /// <summary>
    /// The return that stands at a mark: of the latest value seen there of the result's shape, as the method's last
    /// return combines it with x; a break where none is seen.
    /// </summary>
    private static string ReturnAt(IReadOnlyList<RandomValue> seen, RandomValue last)
    {
        var value = seen.LastOrDefault(v => last.Shape is null ? v.Shape is null : v.Shape is not null && v.Shape.SequenceEqual(last.Shape));
        return value is null ? "break;" : $"return {ResultOf(value)};";
    }

    /// <summary>What the method returns of a value: with x in it, so that no program ends in a constant.</summary>
    private static string ResultOf(RandomValue value) => value.IsDouble ? $"{value.Name} * Sum(x)" : $"{value.Name} + Sum(x)";

    /// <summary>One to three statements one level in; the values they declare are gone at the block's end.</summary>
    private void AddBlock()
    {
        var outerIndent = _indent;
        var outerValues = _values.ToList();
        _indent += "    ";
        _depth++;
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            AddStatement();
        }

        _depth--;
        _indent = outerIndent;

        // The block's own values are out of scope after it; the outer ones stay, in their latest order.
        _values.RemoveAll(v => !outerValues.Contains(v));
    }

    private void AddStep()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var drawn = (_rowwise ? RowwiseKinds[_random.Next(RowwiseKinds.Length)] : Kinds[_random.Next(Kinds.Length)]) switch
            {
                0 or 1 or 2 => Binary(),
                3 or 4 => Unary(),
                5 => Reduction(),
                6 => Matrix(),
                7 => Reshaping(),
                8 => Scalar(),
                10 => Normalization(),
                11 => Parts(),
                _ => Compound(),
            };
            if (drawn is { } step)
            {
                // Now and then the value is assigned to an earlier one of its shape instead, plainly or by a compound
                // assignment: later steps read the new version, earlier ones the old.
                var targets = _values.Where(v => v.Shape is null ? step.Shape is null : step.Shape is not null && v.Shape.SequenceEqual(step.Shape)).ToList();
                if (targets.Count > 0 && _random.Next(_depth > 0 ? 2 : 4) == 0)
                {
                    var target = targets[_random.Next(targets.Count)];

                    // In a loop, a write over a value is damped (a plain one mixes the old value with a bounded new one, a
                    // product scales by a factor near 1), so that state carried through iterations stays of a size
                    // central differences can follow.
                    var operation = Reassignments[_random.Next(Reassignments.Length)];
                    var tanh = step.Shape is null ? "System.Math.Tanh" : "Tanh";
                    var expression = (_depth > 0, operation) switch
                    {
                        (true, "=") => $"0.5 * {target.Name} + 0.5 * {tanh}({step.Expression})",
                        (true, "*=") => $"1.0 + 0.2 * {tanh}({step.Expression})",
                        (true, _) => $"0.5 * {tanh}({step.Expression})",
                        _ => step.Expression,
                    };

                    _body.Append($"{_indent}{target.Name} {operation} {expression};\n");
                    _values.Remove(target);
                    _values.Add(target);
                    return;
                }

                var name = "v" + ++_steps;
                _body.Append($"{_indent}var {name} = {step.Expression};\n");
                _values.Add(new RandomValue(name, step.Shape));
                return;
            }
        }
    }

    /// <summary>The kinds of step a program draws from (see <see cref="AddStep"/>).</summary>
    private static readonly int[] Kinds = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11 };

    /// <summary>The kinds of step a rowwise program draws from (see <see cref="AddStep"/>): no matrix, reshaping or parts steps.</summary>
    private static readonly int[] RowwiseKinds = { 0, 1, 2, 3, 4, 5, 5, 8, 9, 10, 10 };

    private RandomValue Pick() => _values[_random.Next(_values.Count)];

    private RandomValue? PickWhere(Func<RandomValue, bool> predicate)
    {
        var candidates = _values.Where(predicate).ToList();
        return candidates.Count == 0 ? null : candidates[_random.Next(candidates.Count)];
    }

    private string Constant() => (_random.Next(1, 20) / 10.0).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>a ∘ b: tensor∘tensor broadcasting either way, tensor∘double, double∘tensor, or against a literal.</summary>
    private (string Expression, int[]? Shape)? Binary()
    {
        var a = Pick();
        var b = _random.Next(4) == 0 ? null : PickWhere(v => v.IsDouble || a.IsDouble || Broadcast(a.Shape!, v.Shape!) is not null);
        var left = a.Name;
        var right = b?.Name ?? Constant();
        var shape = a.IsDouble ? b?.Shape : b is null || b.IsDouble ? a.Shape : Broadcast(a.Shape!, b.Shape!);
        var op = "+-*/"[_random.Next(4)];
        if (op == '/')
        {
            // A denominator bounded away from zero.
            right = b is null ? right : b.IsDouble ? $"({b.Name} * {b.Name} + 1.0)" : $"(Square({b.Name}) + 1.0)";
        }

        return _random.Next(2) == 0 || op == '/' ? ($"{left} {op} {right}", shape) : ($"{right} {op} {left}", shape);
    }

    private (string Expression, int[]? Shape)? Unary()
    {
        var a = PickWhere(v => !v.IsDouble);
        if (a is null)
        {
            return null;
        }

        var x = a.Name;
        var bound = PickWhere(v => v.IsDouble);
        var expression = _random.Next(16) switch
        {
            0 => $"Exp(Tanh({x}))",
            1 => $"Log(Square({x}) + 1.0)",
            2 => $"Sqrt(Square({x}) + 0.5)",
            3 => $"Tanh({x})",
            4 => $"Sigmoid({x})",
            5 => $"Abs({x})",
            6 => $"Square({x})",
            7 => $"Pow(Square({x}) + 1.0, {Constant()})",
            8 => $"Relu({x})",
            9 => $"Maximum({x}, 0.1)",
            10 => $"Minimum({x}, -0.1)",
            11 => $"-{x}",
            13 => $"Sin({x})",
            14 => $"Cos({x})",

            // Bounds from a double value, when there is one, so that they get gradients too; min < max for every b.
            15 => bound is null ? $"Clip({x}, -0.5, 0.7)" : $"Clip({x}, {bound.Name} - 0.5, {bound.Name} * {bound.Name} + 0.1)",
            _ => $"{x} * {x}",
        };
        return (expression, a.Shape);
    }

    private static readonly string[] Reductions = { "Sum", "Mean", "Max", "Min", "LogSumExp", "Softmax", "LogSoftmax" };

    private (string Expression, int[]? Shape)? Reduction()
    {
        var a = PickWhere(v => !v.IsDouble);
        if (a is null)
        {
            return null;
        }

        var function = Reductions[_random.Next(Reductions.Length)];
        if (function is "Softmax" or "LogSoftmax")
        {
            // Along an axis, of the input's shape.
            return ($"{function}({a.Name}, {_random.Next(a.Rank)})", a.Shape);
        }

        if (_random.Next(4) == 0 && function != "LogSumExp")
        {
            return ($"{function}({a.Name})", null);
        }

        var axis = _random.Next(a.Rank);
        var keepDims = _random.Next(2) == 0;
        var shape = a.Shape!.Select((d, i) => i == axis ? (keepDims ? 1 : -1) : d).Where(d => d != -1).ToArray();
        if (shape.Length == 0)
        {
            // A reduction of a vector to nothing is a scalar tensor; keep the programs to rank 1 and 2.
            return null;
        }

        var useAxisName = _random.Next(2) == 0;
        var axisText = useAxisName ? $"axis: {axis}" : axis.ToString(CultureInfo.InvariantCulture);
        return keepDims ? ($"{function}({a.Name}, {axisText}, keepDims: true)", shape) : ($"{function}({a.Name}, {axisText})", shape);
    }

    private (string Expression, int[]? Shape)? Matrix()
    {
        var a = PickWhere(v => v.Rank == 2);
        if (a is null)
        {
            return null;
        }

        if (_random.Next(4) == 0 && Window(a) is { } window)
        {
            return window;
        }

        if (_random.Next(3) == 0)
        {
            return ($"Transpose({a.Name})", new[] { a.Shape![1], a.Shape[0] });
        }

        var b = PickWhere(v => v.Rank == 2 && v.Shape![0] == a.Shape![1]);
        if (b is not null)
        {
            return ($"Dot({a.Name}, {b.Name})", new[] { a.Shape![0], b.Shape![1] });
        }

        var c = PickWhere(v => v.Rank == 2 && v.Shape![1] == a.Shape![1]);
        return c is null ? null : ($"Dot({a.Name}, Transpose({c.Name}))", new[] { a.Shape![0], c.Shape![0] });
    }

    /// <summary>
    /// A matrix as a one-channel image ([1, 1, n, d]) through a convolution with a filter made of another value (1 × k),
    /// a max or an average pool (2 × 2, stride 1), or a batched MatMul, reshaped back to a matrix.
    /// </summary>
    private (string Expression, int[]? Shape)? Window(RandomValue a)
    {
        var (n, d) = (a.Shape![0], a.Shape[1]);
        var image = $"Reshape({a.Name}, 1, 1, {n}, {d})";
        switch (_random.Next(4))
        {
            case 0:
                var filter = PickWhere(v => !v.IsDouble && v.Shape!.Aggregate(1, (p, k) => p * k) is var count && count <= d);
                if (filter is null)
                {
                    return null;
                }

                var k = filter.Shape!.Aggregate(1, (p, q) => p * q);
                var width = d - k + 1;
                return ($"Reshape(Conv2D({image}, Reshape({filter.Name}, 1, 1, 1, {k}), 1, 0), {n}, {width})", new[] { n, width });
            case 1 when n >= 2 && d >= 2:
                return ($"Reshape(MaxPool2D({image}, 2, 1), {n - 1}, {d - 1})", new[] { n - 1, d - 1 });
            case 2 when n >= 2 && d >= 2:
                return ($"Reshape(AvgPool2D({image}, 2, 1), {n - 1}, {d - 1})", new[] { n - 1, d - 1 });
            default:
                var b = PickWhere(v => v.Rank == 2 && v.Shape![0] == d);
                return b is null ? null : ($"Reshape(MatMul(Reshape({a.Name}, 1, {n}, {d}), {b.Name}), {n}, {b.Shape![1]})", new[] { n, b.Shape![1] });
        }
    }

    private (string Expression, int[]? Shape)? Reshaping()
    {
        var picked = PickWhere(v => v.Rank == 2 && v.Shape![0] == _n && v.Shape[1] >= 2);
        if (picked is not null && _random.Next(2) == 0)
        {
            return ($"Pick({picked.Name}, labels)", new[] { _n });
        }

        var a = PickWhere(v => !v.IsDouble);
        if (a is null)
        {
            return null;
        }

        var count = a.Shape!.Aggregate(1, (p, d) => p * d);
        var shape = _random.Next(3) switch
        {
            0 => new[] { count },
            1 => new[] { 1, count },
            _ => new[] { count, 1 },
        };
        return ($"Reshape({a.Name}, {string.Join(", ", shape)})", shape);
    }

    /// <summary>
    /// Parts of tensors and tensors of parts: a Slice, a Take with repeated and negative indices, a Concat or Stack of
    /// parts (a value used twice among them), a Transpose by a permutation; axes and starts now and then negative.
    /// Stacks are of values of rank 1 and 2 only, so that no value has a rank above 3.
    /// </summary>
    private (string Expression, int[]? Shape)? Parts()
    {
        var a = PickWhere(v => !v.IsDouble && v.Shape!.All(d => d > 0));
        if (a is null)
        {
            return null;
        }

        var shape = a.Shape!;
        var axis = _random.Next(a.Rank);
        var axisText = AxisText(axis, a.Rank);
        var size = shape[axis];
        switch (_random.Next(5))
        {
            case 0:
                var start = _random.Next(size);
                var length = _random.Next(1, size - start + 1);
                var startText = (_random.Next(2) == 0 ? start - size : start).ToString(CultureInfo.InvariantCulture);
                return ($"Slice({a.Name}, {axisText}, {startText}, {length})", With(shape, axis, length));
            case 1:
                var indices = Enumerable.Range(0, _random.Next(1, 5)).Select(_ => _random.Next(-size, size)).ToArray();
                return ($"Take({a.Name}, new[] {{ {string.Join(", ", indices)} }}, {axisText})", With(shape, axis, indices.Length));
            case 2:
                // Parts that agree with a off the axis, a itself among them.
                var fits = _values.Where(v => v.Rank == a.Rank && Enumerable.Range(0, a.Rank).All(i => i == axis || v.Shape![i] == shape[i])).ToList();
                var parts = Enumerable.Range(0, _random.Next(2, 4)).Select(i => i == 0 ? a : fits[_random.Next(fits.Count)]).OrderBy(_ => _random.Next()).ToList();
                return ($"Concat({axisText}, {string.Join(", ", parts.Select(p => p.Name))})", With(shape, axis, parts.Sum(p => p.Shape![axis])));
            case 3 when a.Rank <= 2:
                var same = _values.Where(v => v.Shape is not null && v.Shape.SequenceEqual(shape)).ToList();
                var stacked = Enumerable.Range(0, _random.Next(1, 4)).Select(_ => same[_random.Next(same.Count)]).ToList();
                var at = _random.Next(a.Rank + 1);
                var result = shape.Take(at).Append(stacked.Count).Concat(shape.Skip(at)).ToArray();
                return ($"Stack({AxisText(at, a.Rank + 1)}, {string.Join(", ", stacked.Select(p => p.Name))})", result);
            default:
                // Mostly of a 3-D value, a stack's or one stacked here: every permutation of fewer axes is its own
                // inverse, so only three axes tell a rule that undoes the permutation from one that applies it again.
                var moved = PickWhere(v => v.Rank == 3) is { } cube && _random.Next(4) > 0 ? cube : a;
                if (moved.Rank == 2 && _random.Next(3) > 0)
                {
                    var other = PickWhere(v => v.Shape is not null && v.Shape.SequenceEqual(shape))!;
                    moved = new RandomValue($"Stack(0, {a.Name}, {other.Name})", shape.Prepend(2).ToArray());
                }

                var order = Enumerable.Range(0, moved.Rank).OrderBy(_ => _random.Next()).ToArray();
                return ($"Transpose({moved.Name}, {string.Join(", ", order.Select(o => AxisText(o, moved.Rank)))})", order.Select(o => moved.Shape![o]).ToArray());
        }
    }

    /// <summary>An axis of a value of <paramref name="rank"/>, written now and then counted from the end.</summary>
    private string AxisText(int axis, int rank) => (_random.Next(3) == 0 ? axis - rank : axis).ToString(CultureInfo.InvariantCulture);

    private static int[] With(int[] shape, int axis, int size) => shape.Select((d, i) => i == axis ? size : d).ToArray();

    private (string Expression, int[]? Shape)? Scalar()
    {
        if (_flow && _random.Next(3) == 0 && PickWhere(v => !v.IsDouble) is { } tensor)
        {
            // An element read, by the loop's counter where there is one: a double whose gradient is added in place.
            var index = tensor.Shape!.Select((d, axis) => axis == 0 && _counter is not null ? $"{_counter} % {d}" : _random.Next(d).ToString(CultureInfo.InvariantCulture));
            return ($"{tensor.Name}[{string.Join(", ", index)}] * {Constant()}", null);
        }

        var a = PickWhere(v => v.IsDouble);
        if (a is null)
        {
            var t = PickWhere(v => !v.IsDouble)!;
            return ($"Mean({t.Name})", null);
        }

        var x = a.Name;
        var other = PickWhere(v => v.IsDouble && v.Name != x);
        var expression = _random.Next(11) switch
        {
            9 => other is null ? $"System.Math.Max({x}, 0.3)" : $"System.Math.Max({x}, {other.Name})",
            10 => other is null ? $"System.Math.Min({x} * {x}, 0.3)" : $"System.Math.Min({other.Name}, {x} * {x})",
            0 => $"System.Math.Sin({x})",
            1 => $"System.Math.Cos({x})",
            2 => $"System.Math.Exp(System.Math.Tanh({x}))",
            3 => $"System.Math.Log({x} * {x} + 1.0)",
            4 => $"System.Math.Sqrt({x} * {x} + 0.5)",
            5 => $"System.Math.Pow({x} * {x} + 1.0, {Constant()})",
            6 => $"System.Math.Tanh({x})",
            7 => $"System.Math.Abs({x}) + {x}",
            _ => $"{x} * {x} - {x}",
        };
        return (expression, null);
    }

    /// <summary>Several operations in one right-hand side, with a value used twice.</summary>
    /// <summary>
    /// A normalization of a matrix along one axis, in the ways BatchNorm and LayerNorm are written: a value that depends
    /// on a reduction of itself, whose backward sums a gradient that waits for another sum.
    /// </summary>
    private (string Expression, int[]? Shape)? Normalization()
    {
        // Often the latest matrix, so that normalizations chain as BatchNorm's steps do (centre, then scale).
        var a = _random.Next(2) == 0 ? _values.LastOrDefault(v => v.Rank == 2) : PickWhere(v => v.Rank == 2);
        if (a is null)
        {
            return null;
        }

        var axis = _random.Next(2);
        var keep = axis == 1 ? ", keepDims: true" : string.Empty;
        return _random.Next(3) switch
        {
            0 => ($"{a.Name} - Mean({a.Name}, axis: {axis}{keep})", a.Shape),
            1 => ($"{a.Name} / Sqrt(Mean(Square({a.Name}), axis: {axis}{keep}) + 1.0)", a.Shape),
            _ => ($"({a.Name} - Mean({a.Name}, axis: {axis}{keep})) * (1.0 / Sqrt(Sum(Square({a.Name}), axis: {axis}{keep}) + 0.5))", a.Shape),
        };
    }

    private (string Expression, int[]? Shape)? Compound()
    {
        var a = PickWhere(v => !v.IsDouble);
        var b = a is null ? null : PickWhere(v => !v.IsDouble && Broadcast(a.Shape!, v.Shape!) is not null);
        if (a is null || b is null)
        {
            return null;
        }

        var shape = Broadcast(a.Shape!, b.Shape!);
        return _random.Next(4) switch
        {
            // A condition that is zero for some elements and not others, of a's shape, beside choices of two shapes.
            3 => ($"Where(Relu({a.Name}), Tanh({b.Name}), {a.Name} * {b.Name})", shape),
            0 => ($"Tanh({a.Name} * {b.Name}) + {a.Name} / (Square({b.Name}) + 1.0)", shape),
            1 => ($"Sigmoid({a.Name} - {b.Name}) * Exp(Tanh({b.Name}))", shape),
            _ => ($"({a.Name} + {b.Name}) * ({a.Name} - 2.0 * {b.Name})", shape),
        };
    }

    /// <summary>NumPy's broadcast of two shapes, or null when they do not broadcast.</summary>
    internal static int[]? Broadcast(int[] a, int[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
            {
                return null;
            }

            shape[i] = Math.Max(da, db);
        }

        return shape;
    }
}
