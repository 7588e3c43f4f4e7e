package dev.tempered.training.internal;

import java.util.Random;

/**
 * One head: {@code x -> relu(W1 x + b1) -> W2 h + b2}, on standardised embeddings, trained by Adam on the mean
 * cross-entropy with L2 weight decay. Written here rather than taken from a library: the Java libraries that fit an
 * OSGi bundle and an Apache/MIT/BSD licence have no MLP (Tribuo) or are large native stacks (DL4J), and ONNX Runtime's training API needs artifacts generated in Python. A head is two
 * matrix products; doing them in plain Java keeps training deterministic (one thread, fixed order): the same seed
 * gives the same weights, bit for bit.
 */
final class Mlp {
    final int in;
    final int hidden;
    final int out;
    /** {@code [hidden][in]}, row-major as ONNX's Gemm with transB = 1 wants it. */
    final double[][] w1;
    final double[] b1;
    /** {@code [out][hidden]}. */
    final double[][] w2;
    final double[] b2;

    Mlp(int in, int hidden, int out, long seed) {
        this.in = in;
        this.hidden = hidden;
        this.out = out;
        Random r = new Random(seed);
        w1 = new double[hidden][in];
        b1 = new double[hidden];
        w2 = new double[out][hidden];
        b2 = new double[out];
        // He initialisation for the ReLU layer, Glorot for the linear output.
        double s1 = Math.sqrt(6.0 / in);
        double s2 = Math.sqrt(6.0 / (hidden + out));
        for (double[] row : w1) {
            for (int j = 0; j < in; j++) {
                row[j] = (2 * r.nextDouble() - 1) * s1;
            }
        }
        for (double[] row : w2) {
            for (int j = 0; j < hidden; j++) {
                row[j] = (2 * r.nextDouble() - 1) * s2;
            }
        }
    }

    /**
     * Training settings.
     *
     * @param dropout the rate of inverted dropout on the hidden layer while training (0 for none)
     */
    record Settings(int epochs, int batch, double learningRate, double weightDecay, double dropout) {
        static Settings of(int epochs) {
            return new Settings(epochs, 32, 1e-3, 1e-4, 0);
        }

        Settings withDropout(double rate) {
            return new Settings(epochs, batch, learningRate, weightDecay, rate);
        }
    }

    /** Logits of one standardised input. */
    double[] logits(double[] x) {
        return output(hidden(x));
    }

    /**
     * Logits of one standardised input with a fresh inverted-dropout mask on the hidden layer, as the MC-dropout
     * graph computes them at inference (its masks come from ONNX Runtime; these from {@code masks}, for fitting T).
     */
    double[] logits(double[] x, double rate, Random masks) {
        double[] h = hidden(x);
        for (int j = 0; j < hidden; j++) {
            h[j] = masks.nextDouble() >= rate ? h[j] / (1 - rate) : 0;
        }
        return output(h);
    }

    private double[] output(double[] h) {
        double[] z = new double[out];
        for (int k = 0; k < out; k++) {
            double s = b2[k];
            double[] w = w2[k];
            for (int j = 0; j < hidden; j++) {
                s += w[j] * h[j];
            }
            z[k] = s;
        }
        return z;
    }

    private double[] hidden(double[] x) {
        double[] h = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double s = b1[j];
            double[] w = w1[j];
            for (int i = 0; i < in; i++) {
                s += w[i] * x[i];
            }
            h[j] = s > 0 ? s : 0;
        }
        return h;
    }

    /**
     * Trains on standardised rows with their class indices; mini-batches are drawn in an order shuffled by
     * {@code seed} each epoch.
     *
     * @param stop asked once per epoch; true ends training early
     */
    void train(double[][] x, int[] y, Settings s, long seed, java.util.function.BooleanSupplier stop) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        int n = x.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Adam a1 = new Adam(hidden, in);
        Adam ab1 = new Adam(1, hidden);
        Adam a2 = new Adam(out, hidden);
        Adam ab2 = new Adam(1, out);
        double[][] g1 = new double[hidden][in];
        double[][] gb1 = new double[1][hidden];
        double[][] g2 = new double[out][hidden];
        double[][] gb2 = new double[1][out];
        int step = 0;
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            if (stop.getAsBoolean()) {
                return;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += s.batch()) {
                int end = Math.min(n, start + s.batch());
                zero(g1);
                zero(gb1);
                zero(g2);
                zero(gb2);
                for (int b = start; b < end; b++) {
                    double[] xi = x[order[b]];
                    double[] h = hidden(xi);
                    // Inverted dropout: a dropped unit passes neither activation nor gradient; kept ones scale up.
                    double[] keep = null;
                    if (s.dropout() > 0) {
                        keep = new double[hidden];
                        for (int j = 0; j < hidden; j++) {
                            keep[j] = r.nextDouble() >= s.dropout() ? 1 / (1 - s.dropout()) : 0;
                            h[j] *= keep[j];
                        }
                    }
                    double[] z = new double[out];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < out; k++) {
                        double v = b2[k];
                        for (int j = 0; j < hidden; j++) {
                            v += w2[k][j] * h[j];
                        }
                        z[k] = v;
                        max = Math.max(max, v);
                    }
                    double sum = 0;
                    for (int k = 0; k < out; k++) {
                        z[k] = Math.exp(z[k] - max);
                        sum += z[k];
                    }
                    // dL/dz = softmax - onehot, for the mean over the batch.
                    double scale = 1.0 / (end - start);
                    double[] dh = new double[hidden];
                    for (int k = 0; k < out; k++) {
                        double d = (z[k] / sum - (k == y[order[b]] ? 1 : 0)) * scale;
                        gb2[0][k] += d;
                        for (int j = 0; j < hidden; j++) {
                            g2[k][j] += d * h[j];
                            dh[j] += d * w2[k][j];
                        }
                    }
                    for (int j = 0; j < hidden; j++) {
                        if (h[j] <= 0) {
                            continue;
                        }
                        double d = keep == null ? dh[j] : dh[j] * keep[j];
                        gb1[0][j] += d;
                        double[] g = g1[j];
                        for (int i = 0; i < in; i++) {
                            g[i] += d * xi[i];
                        }
                    }
                }
                step++;
                a1.step(w1, g1, s, step, true);
                ab1.step(new double[][] {b1}, gb1, s, step, false);
                a2.step(w2, g2, s, step, true);
                ab2.step(new double[][] {b2}, gb2, s, step, false);
            }
        }
    }

    private static void zero(double[][] a) {
        for (double[] r : a) {
            java.util.Arrays.fill(r, 0);
        }
    }

    /** Adam's moment estimates for one parameter matrix (Kingma and Ba 2015). */
    private static final class Adam {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final double EPS = 1e-8;
        private final double[][] m;
        private final double[][] v;

        Adam(int rows, int cols) {
            m = new double[rows][cols];
            v = new double[rows][cols];
        }

        void step(double[][] w, double[][] g, Settings s, int t, boolean decay) {
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < w.length; i++) {
                double[] wi = w[i];
                double[] gi = g[i];
                double[] mi = m[i];
                double[] vi = v[i];
                for (int j = 0; j < wi.length; j++) {
                    double gr = gi[j] + (decay ? s.weightDecay() * wi[j] : 0);
                    mi[j] = BETA1 * mi[j] + (1 - BETA1) * gr;
                    vi[j] = BETA2 * vi[j] + (1 - BETA2) * gr * gr;
                    wi[j] -= s.learningRate() * (mi[j] / c1) / (Math.sqrt(vi[j] / c2) + EPS);
                }
            }
        }
    }
}
