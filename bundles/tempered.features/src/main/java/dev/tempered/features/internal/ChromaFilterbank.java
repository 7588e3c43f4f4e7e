package dev.tempered.features.internal;

/**
 * librosa's {@code filters.chroma} (Ellis' chroma filters): Gaussian bumps in octave-relative pitch around
 * each chroma, columns L2-normalised, weighted by a Gaussian over octaves (centre 5, width 2), rows starting
 * at C. Dense, {@code [chroma][bin]}.
 */
final class ChromaFilterbank {
    final int chroma;
    final int bins;
    final double[][] weights;

    private ChromaFilterbank(int chroma, int bins, double[][] weights) {
        this.chroma = chroma;
        this.bins = bins;
        this.weights = weights;
    }

    /** Octaves above A0 (27.5 Hz at the given tuning, in fractions of a bin): librosa's {@code hz_to_octs}. */
    static double hzToOcts(double hz, double tuning, int binsPerOctave) {
        double a440 = 440.0 * Math.pow(2.0, tuning / binsPerOctave);
        return log2(hz / (a440 / 16));
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    static ChromaFilterbank create(int sampleRate, int nFft, int nChroma, double tuning) {
        double ctroct = 5.0;
        double octwidth = 2.0;
        double[] frqbins = new double[nFft];
        for (int k = 1; k < nFft; k++) {
            frqbins[k] = nChroma * hzToOcts(k * (double) sampleRate / nFft, tuning, nChroma);
        }
        // The 0 Hz bin gets a made-up pitch 1.5 octaves below bin 1: half a turn of chroma away, broad.
        frqbins[0] = frqbins[1] - 1.5 * nChroma;
        double[] binwidth = new double[nFft];
        for (int k = 0; k < nFft - 1; k++) {
            binwidth[k] = Math.max(frqbins[k + 1] - frqbins[k], 1.0);
        }
        binwidth[nFft - 1] = 1;
        double half = Math.rint(nChroma / 2.0);
        int bins = nFft / 2 + 1;
        double[][] w = new double[nChroma][bins];
        for (int k = 0; k < bins; k++) {
            double sumSq = 0;
            double[] col = new double[nChroma];
            for (int c = 0; c < nChroma; c++) {
                double d = frqbins[k] - c;
                d = pyRemainder(d + half + 10 * nChroma, nChroma) - half;
                double z = 2 * d / binwidth[k];
                col[c] = Math.exp(-0.5 * z * z);
                sumSq += col[c] * col[c];
            }
            double norm = Math.sqrt(sumSq);
            double oct = (frqbins[k] / nChroma - ctroct) / octwidth;
            double octWeight = Math.exp(-0.5 * oct * oct);
            // base_c: rotate so that row 0 is C rather than A.
            int shift = 3 * (nChroma / 12);
            for (int c = 0; c < nChroma; c++) {
                double v = norm < Double.MIN_NORMAL ? col[c] : col[c] / norm;
                w[Math.floorMod(c - shift, nChroma)][k] = v * octWeight;
            }
        }
        return new ChromaFilterbank(nChroma, bins, w);
    }

    private static double pyRemainder(double a, double b) {
        double r = a % b;
        return r < 0 ? r + b : r;
    }
}
