package dev.tempered.calibration.internal;

import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.TemperatureFit;
import java.util.ArrayList;
import java.util.List;

/**
 * Vector scaling on the averaged log-probabilities x: calibrated logits {@code u_c = x_c / T_c + b_c}.
 *
 * <p>With {@code w_c = 1 / T_c} the mean NLL is convex in (w, b) (multinomial logistic regression with one
 * feature per class), so a quasi-Newton method (L-BFGS with a backtracking line search) finds the optimum;
 * it starts from the pooled temperature and zero biases. The biases' gradient sums to zero, so their sum
 * stays 0 and the softmax's shift invariance needs no extra constraint.
 */
final class VectorScaling {
    private static final int MEMORY = 10;
    private static final int MAX_ITERATIONS = 500;

    private VectorScaling() {
    }

    static TemperatureFit fit(double[][] x, int[] y, double nllBefore, List<String> labels)
            throws CalibrationException {
        int classes = x[0].length;
        double t0 = Math.exp(TemperatureFitter.minimiseLogT(logT -> TemperatureFitter.nllSingle(x, y,
                Math.exp(logT))));
        double[] theta = new double[2 * classes];
        for (int c = 0; c < classes; c++) {
            theta[c] = 1 / t0;
        }
        double nll = minimise(x, y, theta);
        List<Double> params = new ArrayList<>();
        double logSum = 0;
        for (int c = 0; c < classes; c++) {
            if (!(theta[c] > 0) || !Double.isFinite(1 / theta[c])) {
                String name = labels.isEmpty() ? "class " + c : "'" + labels.get(c) + "'";
                throw new CalibrationException("vector scaling gave no positive finite temperature for " + name
                        + " (scale " + theta[c] + "); too few rows of that class? Use a single temperature");
            }
            params.add(1 / theta[c]);
            logSum += Math.log(1 / theta[c]);
        }
        for (int c = 0; c < classes; c++) {
            params.add(theta[classes + c]);
        }
        return new TemperatureFit(CalibrationMethod.VECTOR_SCALING, Math.exp(logSum / classes), params, nllBefore,
                nll, y.length);
    }

    /** Applies fitted parameters ({@code T_1..T_C, b_1..b_C}) to log mean probabilities. */
    static double[] apply(double[] logPbar, List<Double> params) {
        int classes = logPbar.length;
        double[] u = new double[classes];
        for (int c = 0; c < classes; c++) {
            u[c] = logPbar[c] / params.get(c) + params.get(classes + c);
        }
        double[] p = new double[classes];
        Softmax.probabilities(u, 1, p);
        return p;
    }

    /** Mean NLL and its gradient at theta = (w, b). */
    static double value(double[][] x, int[] y, double[] theta, double[] grad) {
        int classes = x[0].length;
        java.util.Arrays.fill(grad, 0);
        double[] u = new double[classes];
        double[] q = new double[classes];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < classes; c++) {
                u[c] = theta[c] * x[i][c] + theta[classes + c];
            }
            double lse = Softmax.logSumExp(u, 1);
            sum += lse - u[y[i]];
            for (int c = 0; c < classes; c++) {
                q[c] = Math.exp(u[c] - lse);
            }
            q[y[i]] -= 1;
            for (int c = 0; c < classes; c++) {
                grad[c] += q[c] * x[i][c];
                grad[classes + c] += q[c];
            }
        }
        for (int k = 0; k < grad.length; k++) {
            grad[k] /= x.length;
        }
        return sum / x.length;
    }

    /** L-BFGS; theta is updated in place; returns the final mean NLL. */
    static double minimise(double[][] x, int[] y, double[] theta) {
        int n = theta.length;
        double[] g = new double[n];
        double f = value(x, y, theta, g);
        double[][] s = new double[MEMORY][];
        double[][] yk = new double[MEMORY][];
        double[] rho = new double[MEMORY];
        int stored = 0;
        int head = 0;
        double[] trial = new double[n];
        double[] gTrial = new double[n];
        for (int iter = 0; iter < MAX_ITERATIONS && norm(g) > 1e-9; iter++) {
            double[] d = g.clone();
            double[] alpha = new double[MEMORY];
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(head - 1 - k, MEMORY);
                alpha[j] = rho[j] * dot(s[j], d);
                axpy(-alpha[j], yk[j], d);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, MEMORY);
                double gamma = dot(s[last], yk[last]) / dot(yk[last], yk[last]);
                for (int k = 0; k < n; k++) {
                    d[k] *= gamma;
                }
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(head - 1 - k, MEMORY);
                double beta = rho[j] * dot(yk[j], d);
                axpy(alpha[j] - beta, s[j], d);
            }
            for (int k = 0; k < n; k++) {
                d[k] = -d[k];
            }
            double slope = dot(g, d);
            if (slope >= 0) {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                for (int k = 0; k < n; k++) {
                    d[k] = -g[k];
                }
                slope = dot(g, d);
                stored = 0;
            }
            double step = 1;
            double fTrial = Double.NaN;
            for (int ls = 0; ls < 60; ls++) {
                for (int k = 0; k < n; k++) {
                    trial[k] = theta[k] + step * d[k];
                }
                fTrial = value(x, y, trial, gTrial);
                if (fTrial <= f + 1e-4 * step * slope) {
                    break;
                }
                step /= 2;
            }
            if (!(fTrial <= f)) {
                break;
            }
            double[] sk = new double[n];
            double[] ykNew = new double[n];
            for (int k = 0; k < n; k++) {
                sk[k] = trial[k] - theta[k];
                ykNew[k] = gTrial[k] - g[k];
            }
            double sy = dot(sk, ykNew);
            if (sy > 1e-16) {
                s[head] = sk;
                yk[head] = ykNew;
                rho[head] = 1 / sy;
                head = (head + 1) % MEMORY;
                stored = Math.min(stored + 1, MEMORY);
            }
            System.arraycopy(trial, 0, theta, 0, n);
            System.arraycopy(gTrial, 0, g, 0, n);
            double change = f - fTrial;
            f = fTrial;
            if (change < 1e-13 * Math.max(1, Math.abs(f))) {
                break;
            }
        }
        return f;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int k = 0; k < x.length; k++) {
            y[k] += a * x[k];
        }
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }
}
