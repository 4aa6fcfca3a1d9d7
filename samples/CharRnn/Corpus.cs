using System;
using System.Linq;

namespace Samples.CharRnn;

/// <summary>
/// A text as character ids over its own vocabulary (the distinct characters, in order), cut for truncated
/// backpropagation through time: the text is split into <c>streams</c> runs side by side, one per sequence of a batch,
/// and a chunk is the next <c>steps</c> characters of every run, so that each sequence of a chunk continues the one of
/// the chunk before it.
/// </summary>
public sealed class Corpus
{
    private readonly int[] _ids;

    /// <summary>Reads <paramref name="text"/>, its line endings as \n whatever the checkout made of them.</summary>
    public Corpus(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        Vocabulary = normalized.Distinct().Order().ToArray();
        _ids = normalized.Select(c => Array.BinarySearch(Vocabulary, c)).ToArray();
    }

    /// <summary>The distinct characters; a character's id is its index here.</summary>
    public char[] Vocabulary { get; }

    /// <summary>The number of characters.</summary>
    public int Length => _ids.Length;

    /// <summary>How many chunks of <paramref name="steps"/> there are in one pass over <paramref name="streams"/> runs.</summary>
    public int ChunksPerPass(int streams, int steps) => (Length / streams - 1) / steps;

    /// <summary>Chunk <paramref name="index"/> of a pass: inputs [streams, steps] and their targets, each input's next character.</summary>
    public (int[,] Inputs, int[,] Targets) Chunk(int streams, int steps, int index)
    {
        int run = Length / streams;
        var inputs = new int[streams, steps];
        var targets = new int[streams, steps];
        for (int s = 0; s < streams; s++)
        {
            for (int t = 0; t < steps; t++)
            {
                int position = s * run + index * steps + t;
                inputs[s, t] = _ids[position];
                targets[s, t] = _ids[position + 1];
            }
        }

        return (inputs, targets);
    }

    /// <summary>
    /// The entropy, in nats, of the characters' frequencies: the loss per character of a model that predicts every
    /// character from how often it occurs, ignoring the text before it.
    /// </summary>
    public double UnigramEntropy() => -_ids.GroupBy(id => id)
        .Select(group => (double)group.Count() / Length)
        .Sum(p => p * Math.Log(p));

    /// <summary>
    /// The entropy, in nats, of each character given the one before it, with the pairs counted in this text: the lowest
    /// loss per character on this text of any model that sees only the previous character.
    /// </summary>
    public double BigramEntropy()
    {
        var pairs = _ids.Zip(_ids.Skip(1)).ToList();
        var before = pairs.GroupBy(pair => pair.First).ToDictionary(group => group.Key, group => group.Count());
        return -pairs.GroupBy(pair => pair)
            .Sum(group => (double)group.Count() / pairs.Count * Math.Log((double)group.Count() / before[group.Key.First]));
    }

    /// <summary>The id of <paramref name="c"/>.</summary>
    public int Id(char c) => Array.BinarySearch(Vocabulary, c);

    /// <summary>The text of <paramref name="ids"/>.</summary>
    public string Decode(int[] ids) => new(ids.Select(i => Vocabulary[i]).ToArray());
}
