package dev.tempered.features.internal;

/** The first coefficients of an orthonormal DCT-II (scipy.fftpack.dct(type=2, norm='ortho')) as a matrix. */
final class Dct {
    final int size;
    final int coefficients;
    private final double[][] basis;

    Dct(int size, int coefficients) {
        this.size = size;
        this.coefficients = coefficients;
        this.basis = new double[coefficients][size];
        for (int k = 0; k < coefficients; k++) {
            double scale = k == 0 ? Math.sqrt(1.0 / size) : Math.sqrt(2.0 / size);
            for (int n = 0; n < size; n++) {
                basis[k][n] = scale * Math.cos(Math.PI * k * (2 * n + 1) / (2.0 * size));
            }
        }
    }

    double basis(int k, int n) {
        return basis[k][n];
    }

    /** {@code out[k] = Σ_n B[k][n] · x[offset + n]} for the first {@code coefficients} k. */
    void apply(double[] x, int offset, double[] out) {
        for (int k = 0; k < coefficients; k++) {
            double[] b = basis[k];
            double s = 0;
            for (int n = 0; n < size; n++) {
                s += b[n] * x[offset + n];
            }
            out[k] = s;
        }
    }
}
