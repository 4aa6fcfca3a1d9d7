namespace BackpropGen.Generator.Discover;

/// <summary>Metadata names of the runtime types the generator recognises.</summary>
internal static class KnownNames
{
    public const string DifferentiableAttribute = "BackpropGen.DifferentiableAttribute";
    public const string NoGradAttribute = "BackpropGen.NoGradAttribute";
    public const string Tensor = "BackpropGen.Tensor";
    public const string TensorShape = "BackpropGen.TensorShape";
}
