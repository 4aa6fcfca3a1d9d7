namespace BackpropGen;

public sealed partial class Tensor
{
    /// <summary>
    /// <paramref name="x"/> itself, through which a generated backward sends no gradient: what is computed from the
    /// result is differentiated as if <paramref name="x"/> were a constant (JAX's <c>stop_gradient</c>, Swift's
    /// <c>withoutDerivative(at:)</c>).
    /// </summary>
    public static Tensor StopGradient(Tensor x)
    {
        System.ArgumentNullException.ThrowIfNull(x);
        return x;
    }

    /// <summary><paramref name="x"/> itself, through which a generated backward sends no gradient (see <see cref="StopGradient(Tensor)"/>).</summary>
    public static double StopGradient(double x) => x;
}
