using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using static BackpropGen.Tensor;

namespace BackpropGen.GradBench.Evals;

/// <summary>
/// GradBench's <c>lstm</c> (ADBench's LSTM, whose weights are diagonal): l stacked layers read a sequence of c
/// characters of b bits, each layer's hidden state the next one's input, and the loss is the negative mean
/// log-likelihood of each next character under log-softmax-like normalisation (ADBench's logsumexp adds 2).
/// </summary>
public static partial class LstmEval
{
    /// <summary>
    /// One layer's step: the four gates from one product of [input, h, input, h] with the layer's weights, the new cell
    /// and hidden state side by side, [1, 2b].
    /// </summary>
    [Differentiable]
    public static Tensor LayerStep(Tensor input, Tensor hidden, Tensor cell, Tensor weight, Tensor bias)
    {
        int b = input.Shape[1];
        // steps of their own where the backward reads a value, so that it reads it from the cache rather than again
        var gateInputs = Concat(1, input, hidden, input, hidden);
        var gates = (gateInputs * weight) + bias;
        var sigmoids = Sigmoid(Slice(gates, 1, 0, 3 * b));
        var change = Tanh(Slice(gates, 1, 3 * b, b));
        var forget = Slice(sigmoids, 1, 0, b);
        var ingate = Slice(sigmoids, 1, b, b);
        var outgate = Slice(sigmoids, 1, 2 * b, b);
        var nextCell = (cell * forget) + (ingate * change);
        var cellActivation = Tanh(nextCell);
        var nextHidden = outgate * cellActivation;
        return Concat(1, nextHidden, nextCell);
    }

    [Differentiable]
    public static double Loss(Tensor mainParams, Tensor extraParams, [NoGrad] Tensor state, [NoGrad] Tensor sequence)
    {
        int layers = mainParams.Shape[0] / 2;
        int b = sequence.Shape[1];
        int c = sequence.Shape[0];
        var inWeight = Slice(extraParams, 0, 0, 1);
        var outWeight = Slice(extraParams, 0, 1, 1);
        var outBias = Slice(extraParams, 0, 2, 1);
        // rows 2i and 2i + 1 of the state: layer i's hidden state and cell
        var hidden = Reshape(Slice(Reshape(state, layers, 2 * b), 1, 0, b), layers, b);
        var cell = Reshape(Slice(Reshape(state, layers, 2 * b), 1, b, b), layers, b);
        double total = 0.0;
        for (int t = 0; t < c - 1; t++)
        {
            var input = Slice(sequence, 0, t, 1) * inWeight;
            var nextHidden = Zeros(0, b);
            var nextCell = Zeros(0, b);
            for (int layer = 0; layer < layers; layer++)
            {
                var step = LayerStep(input, Slice(hidden, 0, layer, 1), Slice(cell, 0, layer, 1),
                    Slice(mainParams, 0, 2 * layer, 1), Slice(mainParams, 0, (2 * layer) + 1, 1));
                input = Slice(step, 1, 0, b);
                nextHidden = Concat(0, nextHidden, input);
                nextCell = Concat(0, nextCell, Slice(step, 1, b, b));
            }

            hidden = nextHidden;
            cell = nextCell;
            var prediction = (input * outWeight) + outBias;
            double lse = Math.Log(Sum(Exp(prediction)) + 2.0);
            total += Sum(Slice(sequence, 0, t + 1, 1) * (prediction - lse));
        }

        return -total / ((c - 1) * b);
    }

    private sealed record Input(Tensor MainParams, Tensor ExtraParams, Tensor State, Tensor Sequence)
    {
        public static Input Read(JsonNode input) =>
            new(Json.Matrix(input, "main_params"), Json.Matrix(input, "extra_params"), Json.Matrix(input, "state"), Json.Matrix(input, "sequence"));
    }

    public static EvalModule Module { get; } = new("lstm", new Dictionary<string, Func<JsonNode, Evaluation>>
    {
        ["objective"] = json =>
        {
            var i = Input.Read(json);
            return Evaluation.Of(() => Loss(i.MainParams, i.ExtraParams, i.State, i.Sequence), Json.Number);
        },
        ["jacobian"] = json =>
        {
            var i = Input.Read(json);
            // the gradients of main_params and extra_params, each flattened row after row, one after the other
            return Evaluation.Of(
                () => LossBackward(1.0, LossForward(i.MainParams, i.ExtraParams, i.State, i.Sequence).Cache),
                g => Json.Array([.. g.dmainParams.ToArray(), .. g.dextraParams.ToArray()]));
        },
    });
}
